// Shared helpers for the interop scripts.
//
// Why this exists: badger's Python signer/verifier is checked against an INDEPENDENT
// implementation (Digital Bazaar's JS stack, jose). The JS side must see exactly the same
// offline world as badger: the bundled JSON-LD contexts, plus whatever documents the Python test
// hands over (controller documents, status lists). Anything else is refused, never fetched.

import {readFileSync, existsSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gunzipSync} from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
const BUNDLED = join(HERE, '..', '..', 'badger', 'ob3', 'contexts');
const SHARED = '/work/shared/ob3/contexts';

/** Directory holding INDEX.json + context files (badger's bundle, else the reference copy). */
export function contextsDir() {
  if(process.env.BADGER_CONTEXTS_DIR) {
    return process.env.BADGER_CONTEXTS_DIR;
  }
  return existsSync(join(BUNDLED, 'INDEX.json')) ? BUNDLED : SHARED;
}

function loadContexts() {
  const dir = contextsDir();
  const index = JSON.parse(readFileSync(join(dir, 'INDEX.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, JSON.parse(readFileSync(join(dir, file), 'utf8')));
  }
  return contexts;
}

const CONTEXTS = loadContexts();

/** The bundled copy of a published JSON-LD context, or undefined. */
export function bundledContext(url) {
  return CONTEXTS.has(url) ? structuredClone(CONTEXTS.get(url)) : undefined;
}

/** Read all of stdin and parse it as JSON. */
export async function readJsonStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Print one JSON object on stdout (the only thing the Python side parses). */
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function findNode(doc, id, seen = new Set()) {
  if(doc === null || typeof doc !== 'object' || seen.has(doc)) {
    return null;
  }
  seen.add(doc);
  if(!Array.isArray(doc) && doc.id === id) {
    return doc;
  }
  for(const value of Object.values(doc)) {
    const found = findNode(value, id, seen);
    if(found) {
      return found;
    }
  }
  return null;
}

/**
 * A documentLoader serving ONLY bundled contexts and the supplied documents.
 * A URL with a fragment resolves to the node with that id inside the supplied base document
 * (how `<issuer>#<multibase>` verification methods are dereferenced), carrying the base
 * document's @context so the Multikey is interpreted as published.
 */
export function makeDocumentLoader(documents = {}) {
  const requested = [];
  const loader = async url => {
    requested.push(url);
    if(CONTEXTS.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(CONTEXTS.get(url))};
    }
    if(Object.hasOwn(documents, url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(documents[url])};
    }
    const hash = url.indexOf('#');
    if(hash > 0) {
      const base = url.slice(0, hash);
      if(Object.hasOwn(documents, base)) {
        const node = findNode(documents[base], url);
        if(node) {
          const doc = structuredClone(node);
          if(!doc['@context'] && documents[base]['@context']) {
            doc['@context'] = structuredClone(documents[base]['@context']);
          }
          return {contextUrl: null, documentUrl: url, document: doc};
        }
      }
    }
    throw new Error(`documentLoader refused ${url}: not bundled and not supplied`);
  };
  loader.requested = requested;
  return loader;
}

/** Flatten nested errors (vc/jsigs aggregate them) into readable strings. */
export function describeError(err, depth = 0) {
  if(!err || depth > 6) {
    return [];
  }
  if(Array.isArray(err)) {
    return err.flatMap(e => describeError(e, depth + 1));
  }
  const out = [];
  if(err.message || err.name) {
    out.push(`${err.name || 'Error'}: ${err.message || ''}`.trim());
  }
  if(err.details && typeof err.details === 'object') {
    try {
      out.push('details: ' + JSON.stringify(err.details).slice(0, 500));
    } catch {
      // circular details are not worth reporting
    }
  }
  if(err.errors) {
    out.push(...describeError(err.errors, depth + 1));
  }
  if(err.cause) {
    out.push(...describeError(err.cause, depth + 1));
  }
  return out;
}

/** id of `issuer` whether it is a URL string or a Profile object. */
export function issuerId(credential) {
  const {issuer} = credential;
  return typeof issuer === 'string' ? issuer : issuer && issuer.id;
}

const MIN_BITS = 131072;
const MAX_BYTES = 16 * 1024 * 1024;

/** Decode a Bitstring Status List `encodedList` (multibase 'u' + base64url of GZIP). */
export function decodeEncodedList(encoded) {
  if(typeof encoded !== 'string' || !encoded) {
    throw new Error('encodedList missing');
  }
  const b64 = encoded.startsWith('u') ? encoded.slice(1) : encoded;
  if(!/^[A-Za-z0-9_-]+=*$/.test(b64)) {
    throw new Error('encodedList is not base64url');
  }
  const bits = gunzipSync(Buffer.from(b64, 'base64url'), {maxOutputLength: MAX_BYTES});
  if(bits.length * 8 < MIN_BITS) {
    throw new Error(`status list has ${bits.length * 8} entries, fewer than ${MIN_BITS}`);
  }
  return bits;
}

/** Bit `index` of the list, index 0 = most significant bit of the first byte. */
export function getBit(bits, index) {
  if(!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new Error(`status index ${index} out of range`);
  }
  return ((bits[index >> 3] >> (7 - (index & 7))) & 1) === 1;
}
