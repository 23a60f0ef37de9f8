// Verify an Open Badges 3.0 credential's eddsa-rdfc-2022 proof with Digital
// Bazaar's verifier stack, entirely offline.
//
//   node ob3_verify.mjs CREDENTIAL.json DOCUMENTS.json [--now ISO-TIME]
//                       [--packages DIR]
//
// DOCUMENTS.json maps each URL the verifier may ask for (JSON-LD contexts,
// the issuer profile) to its JSON document. The document loader answers only
// from that map and throws on any other URL, so nothing is fetched and a
// missing document fails the verification with its URL in the error.
// Verification methods are answered by fragment: for URL#key-1 the loader
// takes the document at URL and hands over the node whose id is URL#key-1,
// under that document's @context, as dereferencing a fragment of a
// controller document does (an HTTP request for URL#key-1 fetches URL).
// jsonld-signatures puts its own bundled security v1/v2 contexts, which it
// frames the controller document with, in front of this loader.
//
// --now sets the verifier's clock for the validFrom/validUntil checks.
// --packages is the folder whose node_modules holds the npm packages
// (default: .cache/ob3-verifier/ under the repository root).
//
// Prints {"verified": bool, "error": string|null, "requested": [...],
// "refused": [...]} on stdout; exits 0 when verified, 1 when not, and 2 when
// it could not run at all.

import {readFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {join, resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';

const DEFAULT_PACKAGES = fileURLToPath(
  new URL('../../.cache/ob3-verifier/', import.meta.url));

// The packages live outside this file's folder tree, where ESM resolution
// would not look, so they are resolved from that folder explicitly.
async function importFrom(folder, name) {
  const require = createRequire(join(resolve(folder), 'package.json'));
  return import(pathToFileURL(require.resolve(name)).href);
}

async function readJson(path) {
  return JSON.parse(await readFile(path, 'utf8'));
}

function findNode(value, id) {
  if(Array.isArray(value)) {
    for(const item of value) {
      const found = findNode(item, id);
      if(found) {
        return found;
      }
    }
  } else if(value && typeof value === 'object') {
    if(value.id === id) {
      return value;
    }
    for(const [key, item] of Object.entries(value)) {
      // Contexts define terms; they hold no nodes.
      if(key !== '@context') {
        const found = findNode(item, id);
        if(found) {
          return found;
        }
      }
    }
  }
  return null;
}

function offlineLoader(documents, log) {
  const has = url => Object.prototype.hasOwnProperty.call(documents, url);
  return async url => {
    log.requested.push(url);
    if(has(url)) {
      return {
        contextUrl: null,
        documentUrl: url,
        document: structuredClone(documents[url])
      };
    }
    const hash = url.indexOf('#');
    if(hash > 0 && has(url.slice(0, hash))) {
      const container = documents[url.slice(0, hash)];
      const node = findNode(container, url);
      if(node) {
        return {
          contextUrl: null,
          documentUrl: url,
          document: structuredClone(
            {'@context': container['@context'], ...node})
        };
      }
    }
    log.refused.push(url);
    throw new Error(`offline document loader: no document for ${url}`);
  };
}

function messages(error, found = []) {
  if(!error) {
    return found;
  }
  const details = error.details || {};
  const cause = details.cause || error.cause;
  if(Array.isArray(error.errors)) {
    error.errors.forEach(inner => messages(inner, found));
  } else if(cause) {
    // jsonld wraps a loader's error in a generic one; the cause names the URL.
    messages(cause, found);
  } else if(error.message) {
    let text = error.message;
    // A safe-mode error names the dropped property only in its event.
    if(details.event) {
      text += ` ${details.event.message} ` +
        JSON.stringify(details.event.details);
    }
    if(!found.includes(text)) {
      found.push(text);
    }
  }
  return found;
}

function errorOf(result) {
  const found = messages(result.error);
  for(const each of result.results || []) {
    messages(each.error, found);
    messages(each.purposeResult && each.purposeResult.error, found);
  }
  return found.length ? found.join('; ') : 'not verified, no reason given';
}

async function main() {
  const {values, positionals} = parseArgs({
    options: {now: {type: 'string'}, packages: {type: 'string'}},
    allowPositionals: true
  });
  if(positionals.length !== 2) {
    throw new Error(
      'usage: node ob3_verify.mjs CREDENTIAL.json DOCUMENTS.json ' +
      '[--now ISO-TIME] [--packages DIR]');
  }
  const folder = values.packages || DEFAULT_PACKAGES;
  const vc = await importFrom(folder, '@digitalbazaar/vc');
  const {DataIntegrityProof} =
    await importFrom(folder, '@digitalbazaar/data-integrity');
  const {cryptosuite} =
    await importFrom(folder, '@digitalbazaar/eddsa-rdfc-2022-cryptosuite');

  const credential = await readJson(positionals[0]);
  const documents = await readJson(positionals[1]);
  const log = {requested: [], refused: []};

  const options = {
    credential,
    suite: new DataIntegrityProof({cryptosuite}),
    documentLoader: offlineLoader(documents, log)
  };
  if(values.now !== undefined) {
    options.now = new Date(values.now);
    if(Number.isNaN(options.now.getTime())) {
      throw new Error(`--now is not a date and time: ${values.now}`);
    }
  }
  const result = await vc.verifyCredential(options);
  const verified = result.verified === true;
  process.stdout.write(JSON.stringify({
    verified,
    error: verified ? null : errorOf(result),
    ...log
  }) + '\n');
  return verified ? 0 : 1;
}

main().then(code => {
  process.exitCode = code;
}, error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exitCode = 2;
});
