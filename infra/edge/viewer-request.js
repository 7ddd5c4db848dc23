// CloudFront Function (cloudfront-js-2.0), viewer request.
// An HTTP API route cannot end in "/" and does not match "/x/" against "/x",
// yet the contract's path is /v1/chat/store/message/ (README "Send Message").
// Strip one trailing slash before the request reaches the API. The local
// gateway runs this same file.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.length > 1 && uri.charAt(uri.length - 1) === '/') {
    request.uri = uri.substring(0, uri.length - 1);
  }
  return request;
}
