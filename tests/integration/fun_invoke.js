// Runs a function under @vercel/fun's Lambda Runtime API (by default a
// `provided` bootstrap) and invokes it once per payload, in order, printing
// the results as JSON.
// Usage: node fun_invoke.js TASK_DIR PAYLOADS.json [ENV.json [RUNTIME HANDLER]]
'use strict';
const fs = require('fs');
const { createFunction } = require('@vercel/fun');

async function main() {
  const [dir, payloadFile, envFile, runtime, handler] = process.argv.slice(2);
  const payloads = JSON.parse(fs.readFileSync(payloadFile, 'utf8'));
  const env = envFile ? JSON.parse(fs.readFileSync(envFile, 'utf8')) : {};
  // fun enforces no timeout: this one bounds the whole run.
  const guard = setTimeout(() => {
    console.error('fun_invoke: gave up after 180 s');
    process.exit(3);
  }, 180000);
  // Lambda sets the region and the function's credentials itself; fun takes
  // them as parameters and refuses them as variables.
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const accessKey = env.AWS_ACCESS_KEY_ID;
  const secretKey = env.AWS_SECRET_ACCESS_KEY;
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    delete env[name];
  }
  const fn = await createFunction({
    Code: { Directory: dir },
    Handler: handler || 'bootstrap',
    Runtime: runtime || 'provided',
    Environment: { Variables: env },
    Timeout: 30,
    ...(region && { Region: region }),
    ...(accessKey && { AccessKeyId: accessKey, SecretAccessKey: secretKey }),
  });
  const results = [];
  try {
    for (const p of payloads) {
      const r = await fn.invoke({ InvocationType: 'RequestResponse', Payload: JSON.stringify(p) });
      results.push({ StatusCode: r.StatusCode, FunctionError: r.FunctionError || null,
                     Payload: String(r.Payload) });
    }
  } finally {
    await fn.destroy();
    clearTimeout(guard);
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  console.error('fun_invoke:', err);
  process.exit(1);
});
