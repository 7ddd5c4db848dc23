const base = require('./jest.config.js');

/** `npm run test:stress`: the bounded load runs, kept out of `npm test`'s quick loop. */
module.exports = { ...base, roots: ['<rootDir>/test/stress'], testPathIgnorePatterns: [], testTimeout: 180_000 };
