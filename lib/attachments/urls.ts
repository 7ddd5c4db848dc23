/** The object URLs stored in messages: pure, so building them never loads the S3 client. */
export interface AttachmentUrls {
  /** The stable URL stored in messages: https://<bucket>.s3.<region>.amazonaws.com/<key>, whatever the endpoint. */
  canonicalUrl(key: string): string;
  /** The key of one of our objects, or undefined for any other URL. */
  keyOf(url: string): string | undefined;
}

export const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

export function attachmentUrls(bucket: string, region: string): AttachmentUrls {
  const host = `${bucket}.s3.${region}.amazonaws.com`;
  return {
    canonicalUrl: (key) => `https://${host}/${encodeKey(key)}`,
    keyOf(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      if (parsed.protocol !== 'https:' || parsed.host !== host || parsed.search !== '' || parsed.hash !== '') return undefined;
      try {
        return decodeURIComponent(parsed.pathname.slice(1));
      } catch {
        return undefined;
      }
    },
  };
}
