// Verify a credential with the Digital Credentials Consortium's @digitalcredentials/verifier-core
// (the library behind VerifierPlus and the Learner Credential Wallet), as it runs there: its own
// document loader, which resolves did:key and did:web and fetches https documents (the issuer's
// keys and status lists) from the network. The tests point it at a loopback TLS server only
// (NODE_EXTRA_CA_CERTS trusts its self-signed certificate); no issuer registry is consulted.
// `ok` ignores the issuer-registry step (no registry is given, as for a verifier that does not
// know the issuer).
//
// stdin:  {"credential": {...}}
// stdout: {"ok": bool, "signature": "valid"|..., "expiration": bool|null,
//          "revocation": bool|null, "errors": [...], "log": [...]}
//   ok: every check of verifier-core's log passed and it reported no error.

import {existsSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {bundledContext, emit, readJsonStdin} from './lib.mjs';

const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'badger', 'ob3',
  'schemas');
const SCHEMA_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/';

/** badger's bundled copy of a published 1EdTech JSON schema, or undefined. */
function bundledSchema(url) {
  if(!url.startsWith(SCHEMA_PREFIX)) {
    return undefined;
  }
  const [kind, file] = url.slice(SCHEMA_PREFIX.length).split('/');
  const path = join(SCHEMAS, kind, file || '');
  if(!['json', 'json-ld'].includes(kind) || !/^[a-z0-9_]+\.json$/.test(file || '') ||
     !existsSync(path)) {
    return undefined;
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

// Loopback only: any other URL is refused before it leaves (and listed in `refused`), except a
// published JSON-LD context that verifier-core's loader does not bundle (the Multikey v1
// context) or a 1EdTech JSON schema its schema check reads: it is answered with badger's
// bundled copy of that very document, as the network would (listed in `contexts`), so the test
// runs offline.
const fetched = [];
const refused = [];
const contexts = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (resource, init) => {
  const url = String(resource && resource.url ? resource.url : resource);
  const context = bundledContext(url) || bundledSchema(url);
  if(context) {
    contexts.push(url);
    return new Response(JSON.stringify(context),
      {status: 200, headers: {'content-type': 'application/ld+json'}});
  }
  const host = new URL(url).hostname;
  if(!['localhost', '127.0.0.1', '[::1]'].includes(host)) {
    refused.push(url);
    throw new Error(`refused (not loopback): ${url}`);
  }
  fetched.push(url);
  return realFetch(resource, init);
};
const {verifyCredential} = await import('@digitalcredentials/verifier-core');

function plainError(e) {
  if(!e) {
    return null;
  }
  const out = {name: e.name || null, message: String(e.message || e)};
  const trace = e.stackTrace;
  if(trace) {
    out.detail = String(trace.message || trace).slice(0, 500);
  }
  return out;
}

const input = await readJsonStdin();
const result = await verifyCredential({credential: input.credential, knownDIDRegistries: []});
const log = (result.log || []).map(e => ({
  id: e.id, valid: e.valid, error: e.error ? plainError(e.error) : undefined
}));
const errors = (result.errors || []).map(plainError);
const step = id => {
  const entry = log.find(e => e.id === id);
  return entry ? entry.valid : null;
};
emit({
  ok: errors.length === 0 && log.length > 0 &&
    log.filter(e => e.id !== 'registered_issuer').every(e => e.valid),
  signature: step('valid_signature'),
  expiration: step('expiration'),
  revocation: step('revocation_status'),
  errors,
  log,
  fetched,
  refused,
  contexts,
  schema: (result.additionalInformation || []).find(e => e.id === 'schema_check') || null
});
