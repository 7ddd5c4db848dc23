// Handlers log JSON lines; tests keep them quiet unless LOG_LEVEL is set.
process.env.LOG_LEVEL ??= 'silent';
// This machine runs Node 20; Lambda runs Node 24. The SDK's notice about Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
