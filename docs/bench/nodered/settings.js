module.exports = { uiPort: 1880, uiHost: "127.0.0.1", flowFile: "flows.json", userDir: process.env.NR_USER_DIR || "./user",
  logging: { console: { level: "warn" } }, editorTheme: { tours: false } };
