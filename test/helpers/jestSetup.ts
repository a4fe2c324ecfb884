// The AWS SDK's notice about its coming Node 22 requirement is known, and only noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// npm run test:node22 asks for Node.js 22 (the Functions' runtime on Twilio): a suite that ran on another is not that test.
const expected = process.env.EXPECT_NODE_MAJOR;
if (expected !== undefined && process.versions.node.split('.')[0] !== expected) {
  throw new Error(`these tests must run on Node.js ${expected}, not ${process.version}`);
}
