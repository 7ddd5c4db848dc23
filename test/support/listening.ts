import { readdirSync, readFileSync } from 'node:fs';

/** One 32-bit word of /proc/net/tcp*, printed in host (little-endian) byte order, as its four bytes in network order. */
function wordBytes(hex: string): number[] {
  const value = Number.parseInt(hex, 16);
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function address(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap(wordBytes);
  const isV4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isV4Mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/**
 * The local addresses of every listening TCP socket on `port`, read from /proc/net/tcp and tcp6
 * (Linux, always present, unlike `ss` or `netstat`): e.g. ['127.0.0.1'], ['0.0.0.0'], ['::'].
 */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A is TCP_LISTEN
      const [ip, portHex] = local.split(':');
      if (ip && Number.parseInt(portHex ?? '', 16) === port) found.push(address(ip));
    }
  }
  return found;
}

/** The live members of a process group ("pid name"), from /proc/<pid>/stat (field 5 is the group id). */
export function processGroupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(afterName[2]) === pgid && afterName[0] !== 'Z') {
        members.push(`${entry} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`);
      }
    } catch {
      // gone between readdir and read
    }
  }
  return members;
}
