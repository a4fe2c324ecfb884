#!/usr/bin/env node
'use strict';
// The installed command: the compiled CLI (npm run build writes dist/lib).
require('../dist/lib/src/cli/main.js').runMain();
