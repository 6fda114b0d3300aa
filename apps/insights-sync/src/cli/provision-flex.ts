// `npm run provision-flex [-- --fix] [--dry-run]`: checks the Survey TaskQueue, Workflow and TaskChannel in the Flex
// workspace against what survey tasks need, creates what is missing, updates what differs with --fix, and prints
// what it found. Against a real account with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (and TWILIO_WORKSPACE_SID
// when the account has more than one workspace); without credentials, against the local Twilio simulator.
// Exit: 0 as required; 1 configuration or Twilio failure; 2 bad usage; 3 not as required (see --help).
import { ConfigError } from '@sms-survey/service-kit';
import { classifyTwilioError } from '@sms-survey/twilio';
import { PROVISION_FLEX_USAGE, parseProvisionFlexArgs, provisionFlex } from '../provision-flex.js';
import { loadProvisionFlexConfig } from './provision-flex-config.js';

const args = parseProvisionFlexArgs(process.argv.slice(2));
if (!args.ok) {
  if (args.help) {
    console.log(PROVISION_FLEX_USAGE);
  } else {
    console.error(`${args.problem}\n${PROVISION_FLEX_USAGE}`);
    process.exitCode = 2;
  }
} else {
  try {
    process.exitCode = (await provisionFlex(loadProvisionFlexConfig(), args.options)).exitCode;
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(`provisioning failed: ${classifyTwilioError(error).reason}`);
    process.exitCode = 1;
  }
}
