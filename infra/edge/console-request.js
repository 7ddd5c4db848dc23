// CloudFront Function (cloudfront-js-2.0), viewer request, on the console's behaviours (/console and
// /console/*, a private S3 origin). S3 answers a missing key with a 403 in XML, and CloudFront's error
// pages belong to the whole distribution (they would rewrite the API's answers too), so this function
// answers everything but the console's own files itself, in the API's envelope:
//   /console               -> 301 to /console/
//   /console/              -> the bucket's console/index.html
//   /console/<built file>  -> the bucket, for GET and HEAD; any other method -> 405 with Allow
//   anything else          -> 404 {"error": "Not found"}
// The two lines marked below are filled in when the function is created (infra/edge/console-function.ts):
// the built file names and the console's security headers, which responses made here carry too.
// The local edge runs this same file (infra/local/console-server.ts).
var files = {}; // @console-files
var securityHeaders = {}; // @console-headers

function answer(status, description, extra, body) {
  var headers = {};
  var name;
  for (name in securityHeaders) headers[name] = { value: securityHeaders[name] };
  for (name in extra) headers[name] = { value: extra[name] };
  var response = { statusCode: status, statusDescription: description, headers: headers };
  if (body !== undefined) {
    headers['content-type'] = { value: 'application/json' };
    headers['cache-control'] = { value: 'no-cache' };
    response.body = { encoding: 'text', data: body };
  }
  return response;
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/console') return answer(301, 'Moved Permanently', { location: '/console/' });
  var name = uri.substring('/console/'.length);
  if (name === '') name = 'index.html';
  // Only names the build produced: no other key, no encoded or dotted path, can reach the bucket.
  if (uri.indexOf('/console/') !== 0 || !Object.prototype.hasOwnProperty.call(files, name)) {
    return answer(404, 'Not Found', {}, '{"error": "Not found"}');
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return answer(405, 'Method Not Allowed', { allow: 'GET, HEAD' }, '{"error": "Method not allowed"}');
  }
  request.uri = '/console/' + name;
  return request;
}
