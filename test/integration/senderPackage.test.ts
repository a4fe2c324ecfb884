/**
 * The sending library as an application would use it: through the package's
 * `exports` entry `twilio-message-archive/sender`, from the build's output
 * (npm test builds first), in JavaScript and with its type declarations.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
// Inside the package, so that its own name resolves to it (a package may import itself through "exports").
const consumerDir = join(root, 'dist', 'consumer-check');

describe('the package entry twilio-message-archive/sender', () => {
  beforeAll(() => mkdirSync(consumerDir, { recursive: true }));
  afterAll(() => rmSync(consumerDir, { recursive: true, force: true }));

  it('loads in plain Node and builds a sender from the environment', () => {
    const script = `
      const twilio = require('twilio');
      const { recordedSenderFromEnv, RecordedSender, UnrecordedSendError } = require('twilio-message-archive/sender');
      const client = twilio('AC0123456789abcdef0123456789abcdef', 'token', { accountSid: 'AC0123456789abcdef0123456789abcdef' });
      const sender = recordedSenderFromEnv(client, {
        ARCHIVE_AWS_REGION: 'us-east-1', ARCHIVE_AWS_ACCESS_KEY_ID: 'k', ARCHIVE_AWS_SECRET_ACCESS_KEY: 's',
        ARCHIVE_FIREHOSE_STREAM: 'stream', STATUS_CALLBACK_URL: 'https://archive-1234-prod.twil.io/status-callback',
      });
      let refused = '';
      try { recordedSenderFromEnv(client, { ARCHIVE_AWS_REGION: 'us-east-1', ARCHIVE_AWS_ACCESS_KEY_ID: 'k', ARCHIVE_AWS_SECRET_ACCESS_KEY: 's', ARCHIVE_FIREHOSE_STREAM: 'stream', STATUS_CALLBACK_URL: 'http://x' }); }
      catch (e) { refused = e.name + ': ' + e.message; }
      console.log(JSON.stringify({ isSender: sender instanceof RecordedSender, errorName: new UnrecordedSendError('m', null, {}, '', undefined, undefined, { cause: null }).name, refused }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: consumerDir, encoding: 'utf8' }));
    expect(out).toEqual({
      isSender: true,
      errorName: 'UnrecordedSendError',
      refused: 'ConfigError: STATUS_CALLBACK_URL: the status callback URL must be https, not http',
    });
  });

  it('type-checks a TypeScript caller against its declarations', () => {
    writeFileSync(
      join(consumerDir, 'consumer.ts'),
      `import twilio from 'twilio';
import { RecordedSender, UnrecordedSendError, type SendOptions } from 'twilio-message-archive/sender';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message';

export async function notify(sender: RecordedSender, orderId: string): Promise<string | null> {
  const options: SendOptions = { tags: { order_id: orderId } };
  try {
    const { message, recorded }: { message: MessageInstance; recorded: 'archive' | 'spool' } = await sender.send({ to: '+14155550101', from: '+15005550006', body: 'Shipped' }, options);
    return recorded === 'spool' ? \`\${message.sid} (spooled)\` : message.sid;
  } catch (error) {
    if (error instanceof UnrecordedSendError) return error.messageSid;
    throw error;
  }
}
export const client = twilio('AC0123456789abcdef0123456789abcdef', 'token');
`,
    );
    writeFileSync(
      join(consumerDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          esModuleInterop: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', consumerDir], { cwd: consumerDir, encoding: 'utf8' });
    // The same caller with a misspelt option must not type-check: the declarations are real.
    writeFileSync(
      join(consumerDir, 'consumer.ts'),
      `import type { SendOptions } from 'twilio-message-archive/sender';\nexport const o: SendOptions = { tag: {} };\n`,
    );
    let diagnostics = '';
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', consumerDir], { cwd: consumerDir, encoding: 'utf8' });
    } catch (error) {
      diagnostics = String((error as { stdout?: string }).stdout);
    }
    expect(diagnostics).toMatch(/'tag' does not exist in type 'SendOptions'/);
  });
});
