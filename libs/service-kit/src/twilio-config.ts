import { z } from 'zod';
import { ConfigError } from './config.js';

/** The local simulator's identity: used when no Twilio credentials are configured. */
export const SIMULATOR_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const SIMULATOR_AUTH_TOKEN = 'simulator-auth-token';
export const SIMULATOR_BASE_URL = 'http://127.0.0.1:4010';

export const twilioEnv = {
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an account sid (AC + 32 hex)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  /** Accepted as well while an auth token is being rotated. */
  TWILIO_AUTH_TOKEN_SECONDARY: z.string().min(8).optional(),
  /** Where Twilio's REST API is; set only for the simulator (defaults to it when no credentials are set). */
  TWILIO_API_BASE_URL: z.url().optional(),
  /** A PEM file of extra CA certificates for Twilio's API (as the twilio SDK reads it). */
  TWILIO_CA_BUNDLE: z.string().min(1).optional(),
  /** An HTTP proxy for Twilio's API; the SDK's own HTTP client is then used, since it is the one that knows proxies. */
  HTTP_PROXY: z.string().min(1).optional(),
};

export interface TwilioSettings {
  accountSid: string;
  authTokens: string[];
  apiBaseUrl: string | undefined;
  simulated: boolean;
  caBundlePath?: string | undefined;
  httpProxy?: string | undefined;
}

type TwilioEnv = { [K in keyof typeof twilioEnv]?: string | undefined };

/** Real credentials when both are set; the local simulator when neither is; an error for half a pair. */
export function resolveTwilioSettings(env: TwilioEnv): TwilioSettings {
  const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token } = env;
  if (!sid && !token) {
    return {
      accountSid: SIMULATOR_ACCOUNT_SID,
      authTokens: [SIMULATOR_AUTH_TOKEN],
      apiBaseUrl: env.TWILIO_API_BASE_URL ?? SIMULATOR_BASE_URL,
      simulated: true,
      caBundlePath: env.TWILIO_CA_BUNDLE,
      httpProxy: env.HTTP_PROXY,
    };
  }
  if (!sid || !token) throw new ConfigError([`${sid ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID'}: must be set together with ${sid ? 'TWILIO_ACCOUNT_SID' : 'TWILIO_AUTH_TOKEN'}`]);
  return {
    accountSid: sid,
    authTokens: [token, ...(env.TWILIO_AUTH_TOKEN_SECONDARY ? [env.TWILIO_AUTH_TOKEN_SECONDARY] : [])],
    apiBaseUrl: env.TWILIO_API_BASE_URL,
    simulated: false,
    caBundlePath: env.TWILIO_CA_BUNDLE,
    httpProxy: env.HTTP_PROXY,
  };
}
