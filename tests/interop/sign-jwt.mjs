// Sign a credential as a VC-JWT (OB 3.0 §8.2) with jose, independently of badger.
//
// stdin:  {"credential": {...}, "alg": "RS256"|"ES256"|"EdDSA",
//          "privateJwk": {...} (optional; a fresh key pair is generated otherwise),
//          "kidPrefix": "https://issuer/.well-known/jwks.json#" (optional),
//          "embedJwk": false (optional: put the public JWK in the header instead of kid)}
// stdout: {"jwt": "...", "publicJwk": {... "kid": <RFC 7638 thumbprint>}, "kid": header kid}

import * as jose from 'jose';

import {describeError, emit, issuerId, readJsonStdin} from './lib.mjs';

function toSeconds(iso) {
  const ms = new Date(iso).getTime();
  if(Number.isNaN(ms)) {
    throw new Error(`not a date: ${iso}`);
  }
  return Math.floor(ms / 1000);
}

async function main() {
  const input = await readJsonStdin();
  const {alg} = input;
  if(!['RS256', 'ES256', 'EdDSA'].includes(alg)) {
    throw new Error(`unsupported alg ${alg}`);
  }
  let privateKey;
  let publicJwk;
  if(input.privateJwk) {
    privateKey = await jose.importJWK(input.privateJwk, alg);
    const {d, p, q, dp, dq, qi, ...pub} = input.privateJwk; // eslint-disable-line no-unused-vars
    publicJwk = pub;
  } else {
    const options = alg === 'EdDSA' ? {crv: 'Ed25519', extractable: true} : {extractable: true};
    const pair = await jose.generateKeyPair(alg, options);
    privateKey = pair.privateKey;
    publicJwk = await jose.exportJWK(pair.publicKey);
  }
  publicJwk.kid = await jose.calculateJwkThumbprint(publicJwk);
  publicJwk.alg = alg;
  publicJwk.use = 'sig';

  const credential = structuredClone(input.credential);
  delete credential.proof;
  const header = {alg, typ: 'JWT'};
  if(input.embedJwk) {
    const {kid, alg: _a, use, ...bare} = publicJwk; // eslint-disable-line no-unused-vars
    header.jwk = bare;
  } else {
    header.kid = (input.kidPrefix || '') + publicJwk.kid;
  }
  let jwt = new jose.SignJWT(credential)
    .setProtectedHeader(header)
    .setIssuer(issuerId(credential))
    .setJti(credential.id)
    .setNotBefore(toSeconds(credential.validFrom));
  const subjectId = credential.credentialSubject && credential.credentialSubject.id;
  if(subjectId) {
    jwt = jwt.setSubject(subjectId);
  }
  if(credential.validUntil) {
    jwt = jwt.setExpirationTime(toSeconds(credential.validUntil));
  }
  emit({jwt: await jwt.sign(privateKey), publicJwk, kid: header.kid || null});
}

main().catch(err => {
  emit({error: describeError(err).join('; ') || String(err)});
  process.exitCode = 1;
});
