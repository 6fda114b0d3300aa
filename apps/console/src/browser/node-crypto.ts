// Stands in for node:crypto in the browser build (see vite.config.ts). The contracts use it to make event ids
// and name-based UUIDs, which only the services do; the console renders and counts, and never gets here.
const unavailable = (name: string) => () => {
  throw new Error(`node:crypto's ${name} is not available in the browser`);
};

export const createHash = unavailable('createHash');
export const randomUUID = unavailable('randomUUID');
export const randomBytes = unavailable('randomBytes');
export const timingSafeEqual = unavailable('timingSafeEqual');
export default { createHash, randomUUID, randomBytes, timingSafeEqual };
