// Verifies an Open Badges 3.0 / W3C verifiable credential with @digitalcredentials/verifier-core,
// offline, and prints a JSON summary on stdout.
//
//   node verify-credential.mjs CREDENTIAL.json [--status-list FILE]... [--did-document FILE]...
//
// Exit code: 0 when the signature verifies, 1 when it does not (or on any fatal error), 2 on bad
// usage. The other checks (expiration, revocation, registered issuer, JSON schema) are reported
// in the summary but do not change the exit code.
//
// Nothing leaves the machine. verifier-core resolves the contexts it knows (VC v2, Open Badges
// 3.0.x, Data Integrity, Bitstring Status List, …) from its bundled copies and did:key locally;
// everything else it asks `fetch` for, which is replaced here by an offline table:
//   - the contexts the Rust crate ships (crates/academy-credentials/contexts/), by URL;
//   - each --status-list FILE (a BitstringStatusListCredential), under its `id`;
//   - each --did-document FILE (a did:web DID document), under its did.json URL;
// and a network error for anything else. So the JSON-schema step, which fetches the 1EdTech
// schema, fails non-fatally, and a credentialStatus whose list was not supplied reports an error
// on the revocation step.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = path.join(here, '..', '..', 'crates', 'academy-credentials', 'contexts');
const SHIPPED_CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-context-3.0.3.json',
};

function usage(message) {
  process.stderr.write(`${message}\nusage: node verify-credential.mjs CREDENTIAL.json [--status-list FILE]... [--did-document FILE]...\n`);
  process.exit(2);
}

const readJson = async (file) => JSON.parse(await readFile(file, 'utf8'));

/** did:web:host%3Aport:path → https://host:port/path/did.json (or /.well-known/did.json). */
function didWebUrl(did) {
  const [host, ...segments] = did.slice('did:web:'.length).split(':');
  const origin = `https://${decodeURIComponent(host)}`;
  return segments.length ? `${origin}/${segments.map(decodeURIComponent).join('/')}/did.json` : `${origin}/.well-known/did.json`;
}

// Libraries log here and there (the schema step logs its failed fetch); stdout is the summary's.
console.log = (...args) => console.error(...args);
console.info = console.log;
console.warn = console.log;

async function main() {
  const args = process.argv.slice(2);
  let credentialFile;
  const offline = new Map();
  for (const [url, file] of Object.entries(SHIPPED_CONTEXTS)) {
    offline.set(url, await readJson(path.join(CONTEXTS_DIR, file)));
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--status-list' || arg === '--did-document') {
      const file = args[++i];
      if (!file) usage(`${arg} needs a file`);
      const doc = await readJson(file);
      if (typeof doc.id !== 'string') usage(`${file} has no id`);
      offline.set(arg === '--status-list' ? doc.id : didWebUrl(doc.id), doc);
    } else if (arg.startsWith('--')) {
      usage(`unknown option ${arg}`);
    } else if (credentialFile) {
      usage('only one credential file');
    } else {
      credentialFile = arg;
    }
  }
  if (!credentialFile) usage('no credential file');
  const credential = await readJson(credentialFile);

  const requested = [];
  globalThis.fetch = async (input) => {
    const url = typeof input === 'string' ? input : (input.url ?? String(input));
    requested.push(url);
    if (offline.has(url)) {
      return new Response(JSON.stringify(offline.get(url)), {
        status: 200,
        headers: { 'content-type': 'application/ld+json' },
      });
    }
    throw new TypeError(`fetch failed: offline, ${url} is not in the offline table`);
  };
  // Imported only now, so that every HTTP client it sets up sees the offline fetch.
  const { verifyCredential } = await import('@digitalcredentials/verifier-core');
  const result = await verifyCredential({ credential, knownDIDRegistries: [] });

  const log = (result.log ?? []).map(({ id, valid, error }) => ({
    id,
    valid: valid ?? null,
    ...(error ? { error: error.message ?? String(error) } : {}),
  }));
  const signature = log.find((step) => step.id === 'valid_signature');
  const verified = !result.errors && signature?.valid === true;
  const schema = (result.additionalInformation ?? []).map((info) => ({
    id: info.id,
    results: Array.isArray(info.results)
      ? info.results.map((r) => ({ schema: r.schema, valid: r.result?.valid ?? null, error: r.result?.errors?.[0]?.message }))
      : info.results,
  }));
  const summary = {
    verified,
    credentialId: credential.id ?? null,
    errors: (result.errors ?? []).map(({ name, message }) => ({ name, message })),
    log,
    additionalInformation: schema,
    offlineRequests: requested,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.exitCode = verified ? 0 : 1;
}

// A crash is not a verdict: exit 3 with nothing on standard output, so that a caller
// expecting "not verified" (exit 1) cannot mistake a broken verifier for a refused credential.
main().catch((error) => {
  process.stderr.write(`verify-credential.mjs failed: ${error.stack ?? error}\n`);
  process.exitCode = 3;
});
