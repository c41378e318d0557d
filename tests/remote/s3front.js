// The remote tests' S3 server: s3rver (a real S3-compatible store) behind a front that checks
// the AWS Signature Version 4 of every signed request with AWS's own signer
// (@smithy/signature-v4, what the AWS SDK for JavaScript signs with), as S3 does: an unknown key
// id is 403 InvalidAccessKeyId, a signature that does not match 403 SignatureDoesNotMatch, a
// request time more than 15 minutes off the server's clock 403 RequestTimeTooSkewed. Unsigned
// requests (the tests' own uploads) pass. Everything listens on 127.0.0.1 only.
//
//   node s3front.js --port P --dir D --bucket B --keys ID:SECRET[,ID:SECRET...]
//                   [--clock-offset-seconds N]   (the server's clock, N seconds off)
//                   [--tls-port P2 --tls-cert PEM --tls-key PEM]   (the same over HTTPS)
//
// GET /__signatures answers {"verified":N,"rejected":N,"unsigned":N} (never forwarded).
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const S3rver = require('s3rver');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const keys = new Map(
  (args.keys || '').split(',').filter(Boolean).map((pair) => {
    const colon = pair.indexOf(':');
    return [pair.slice(0, colon), pair.slice(colon + 1)];
  }));
const clockOffsetMs = Number(args['clock-offset-seconds'] || 0) * 1000;
const counts = { verified: 0, rejected: 0, unsigned: 0 };

function xmlError(res, status, code, message, extra = '') {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${message}</Message>${extra}</Error>`;
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
    Date: new Date(Date.now() + clockOffsetMs).toUTCString(),
  });
  res.end(body);
}

// 20261208T012345Z -> Date
function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text || '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

// The query as the signer wants it: decoded names and values (it encodes them again).
function parseQuery(raw) {
  const query = {};
  for (const part of raw ? raw.split('&') : []) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, '%20'));
    if (name in query) query[name] = [].concat(query[name], value);
    else query[name] = value;
  }
  return query;
}

// Why the request's signature is not AWS's; '' when it is. `req.headers` are lower-case.
async function checkSignature(req, res) {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = parseQuery(q < 0 ? '' : req.url.slice(q + 1));
  const auth = req.headers.authorization || '';
  const presigned = 'X-Amz-Signature' in query;
  let credential, signedHeaders, signature, amzDate;
  if (presigned) {
    credential = query['X-Amz-Credential'];
    signedHeaders = query['X-Amz-SignedHeaders'];
    signature = query['X-Amz-Signature'];
    amzDate = query['X-Amz-Date'];
  } else {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/
      .exec(auth);
    if (!m) return xmlError(res, 400, 'AuthorizationHeaderMalformed', 'not a SigV4 header');
    [, credential, signedHeaders, signature] = m;
    amzDate = req.headers['x-amz-date'];
  }
  const [keyId, day, region, service] = (credential || '').split('/');
  const secret = keys.get(keyId);
  if (secret === undefined)
    return xmlError(res, 403, 'InvalidAccessKeyId', `no such key id: ${keyId}`);
  const date = parseAmzDate(amzDate);
  if (!date) return xmlError(res, 403, 'AccessDenied', 'no X-Amz-Date');
  const serverNow = Date.now() + clockOffsetMs;
  if (Math.abs(serverNow - date.getTime()) > 15 * 60 * 1000)
    return xmlError(res, 403, 'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      `<RequestTime>${amzDate}</RequestTime>` +
      `<ServerTime>${new Date(serverNow).toISOString()}</ServerTime>` +
      '<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>');
  const headers = {};
  for (const name of signedHeaders.split(';'))
    headers[name] = req.headers[name] === undefined ? '' : String(req.headers[name]);
  const [hostname, port] = (req.headers.host || '').split(':');
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: keyId,
      secretAccessKey: secret,
      sessionToken: presigned ? query['X-Amz-Security-Token'] : undefined,
    },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false, // S3: the path is signed as sent, not encoded twice
    applyChecksum: false,
  });
  const request = {
    method: req.method, protocol: req.socket.encrypted ? 'https:' : 'http:', hostname, port: port ? Number(port) : undefined,
    path, query, headers,
  };
  let expected;
  if (presigned) {
    delete request.query['X-Amz-Signature'];
    const signed = await signer.presign(request, {
      signingDate: date, expiresIn: Number(query['X-Amz-Expires'] || 900),
      unhoistableHeaders: new Set(Object.keys(headers)),
    });
    expected = signed.query['X-Amz-Signature'];
  } else {
    const signed = await signer.sign(request, {
      signingDate: date,
      signableHeaders: new Set(Object.keys(headers)),
    });
    const m = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization);
    expected = m && m[1];
  }
  if (day !== amzDate.slice(0, 8))
    return xmlError(res, 403, 'SignatureDoesNotMatch', 'the credential scope is of another day');
  if (expected !== signature) {
    process.stderr.write(`s3front: ${req.method} ${req.url}: signature ${signature}, ` +
      `AWS's signer says ${expected} (signed headers ${signedHeaders})\n`);
    return xmlError(res, 403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.');
  }
  return '';
}

async function main() {
  const inner = await new S3rver({
    address: '127.0.0.1', port: 0, silent: true, directory: args.dir,
    configureBuckets: [{ name: args.bucket }],
  }).run();
  const innerPort = inner.port;
  const handler = (req, res) => {
    if (req.url === '/__signatures') {
      const body = JSON.stringify(counts);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      return res.end(body);
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const signed = 'authorization' in req.headers || /[?&]X-Amz-Signature=/.test(req.url);
      if (signed) {
        if (res.writableEnded) return;
        await checkSignature(req, res);
        if (res.headersSent) {
          ++counts.rejected;
          return;
        }
        ++counts.verified;
      } else {
        ++counts.unsigned;
      }
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      const out = http.request({
        host: '127.0.0.1', port: innerPort, method: req.method, path: req.url, headers,
      }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        // A response s3rver cuts off (an object replaced while it is read) is cut off here too.
        answer.on('error', () => res.destroy());
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  };
  http.createServer(handler).listen(Number(args.port), '127.0.0.1');
  if (args['tls-port'])
    https.createServer({ cert: fs.readFileSync(args['tls-cert']), key: fs.readFileSync(args['tls-key']) },
      handler).listen(Number(args['tls-port']), '127.0.0.1');
}

// The test that started this owns its stdin: when the test ends (or dies), so does the server.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

main().catch((e) => {
  process.stderr.write(`s3front: ${e.stack || e}\n`);
  process.exit(1);
});
