// `npm run provision-flex`: ensures the Survey TaskQueue, Workflow and TaskChannel in the Flex workspace and prints
// their sids. Against a real account with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (and TWILIO_WORKSPACE_SID when
// the account has more than one workspace); without credentials, against the local Twilio simulator.
import { ConfigError } from '@sms-survey/service-kit';
import { classifyTwilioError } from '@sms-survey/twilio';
import { provisionFlex } from '../provision-flex.js';
import { loadProvisionFlexConfig } from './provision-flex-config.js';

try {
  await provisionFlex(loadProvisionFlexConfig());
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`provisioning failed: ${classifyTwilioError(error).reason}`);
  process.exitCode = 1;
}
