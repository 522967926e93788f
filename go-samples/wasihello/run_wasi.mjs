// Run a WASI preview1 module under Node's built-in WASI (node:wasi).
//   node run_wasi.mjs module.wasm [args...]
// Environment variables named WASI_ENV_<NAME> are passed to the module as
// <NAME>. Timings (compile, instantiate, run in ms) go to stderr as one
// JSON line prefixed with "TIMING "; the module's exit code is ours.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, env, exit, hrtime, stderr } from 'node:process';

const ms = (t) => Number(hrtime.bigint() - t) / 1e6;
const file = argv[2];
if (!file) {
  stderr.write('usage: node run_wasi.mjs module.wasm [args...]\n');
  exit(2);
}
const wasiEnv = Object.fromEntries(
  Object.entries(env).filter(([k]) => k.startsWith('WASI_ENV_')).map(([k, v]) => [k.slice(9), v]));
const wasi = new WASI({ version: 'preview1', args: [file, ...argv.slice(3)], env: wasiEnv, returnOnExit: true });
let t = hrtime.bigint();
const module = await WebAssembly.compile(await readFile(file));
const compileMs = ms(t);
t = hrtime.bigint();
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const instantiateMs = ms(t);
t = hrtime.bigint();
const code = wasi.start(instance);
const runMs = ms(t);
stderr.write('TIMING ' + JSON.stringify({ compile_ms: compileMs, instantiate_ms: instantiateMs, run_ms: runMs, node: process.version }) + '\n');
exit(code);
