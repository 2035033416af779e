// A wallet receiving a badge from badger with Digital Bazaar's OpenID4VCI client
// (@digitalbazaar/oid4-client, pinned in package.json; the client of DB's wallets), as a phone
// wallet would after scanning the QR code: parse the offer, discover the issuer, exchange the
// pre-authorised code, then ask for the credential — first without a key proof (the issuer
// answers with a c_nonce), then with a did:key proof over it. The issuer is reached over a
// loopback TLS server the Python test starts (NODE_EXTRA_CA_CERTS trusts its certificate).
//
// stdin:  {"deep_link": "openid-credential-offer://?credential_offer=...",
//          "formats": ["ldp_vc", "jwt_vc_json"]}
// stdout: {"ok": true, "did": "did:key:...", "received": {"ldp_vc": {...}, "jwt_vc_json": "ey..."}}
//      or {"ok": false, "error": {...}}

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {OID4Client, parseCredentialOfferUrl} from '@digitalbazaar/oid4-client';

import {describeError, emit, readJsonStdin} from './lib.mjs';

const input = await readJsonStdin();
try {
  const keyPair = await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  const signer = keyPair.signer();

  const offer = parseCredentialOfferUrl({url: input.deep_link});
  const formats = input.formats || ['ldp_vc'];
  const received = {};
  // one client: the pre-authorised code is exchanged once; its token serves each format
  const client = await OID4Client.fromCredentialOffer({offer, supportedFormats: formats});
  for(const format of formats) {
    const result = await client.requestCredentials({did, didProofSigner: signer, format});
    received[format] = result.credential ?? result.credentials?.[0];
  }
  emit({ok: true, did, received});
} catch(err) {
  emit({ok: false, error: describeError(err)});
}
