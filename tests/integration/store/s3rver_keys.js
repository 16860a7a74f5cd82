// s3rver_keys.js - runs s3rver's own command line with the key pair the test chooses
// (S3RVER_ACCESS_KEY / S3RVER_SECRET_KEY in the environment) instead of its built-in
// S3RVER / S3RVER, so the no-shared-disk test uses an access key id and a secret that
// differ and can tell whether the secret leaked anywhere.
'use strict';
const path = require('path');

const root = path.join(__dirname, 'node_modules', 's3rver');
const { DUMMY_ACCOUNT } = require(path.join(root, 'lib', 'models', 'account'));
const access = process.env.S3RVER_ACCESS_KEY;
const secret = process.env.S3RVER_SECRET_KEY;
if (!access || !secret) {
  console.error('s3rver_keys.js: set S3RVER_ACCESS_KEY and S3RVER_SECRET_KEY');
  process.exit(2);
}
DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
DUMMY_ACCOUNT.createKeyPair(access, secret);
require(path.join(root, 'bin', 's3rver.js'));
