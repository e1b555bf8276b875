/**
 * English: the complete message catalogue and the reference every other language follows.
 * `{name}` placeholders are filled by `translate`; the text is plain (templates escape it).
 */
export const en = {
  'layout.greeting': 'Hello {name},',
  'layout.open': 'Open on the platform',
  'layout.footer':
    'You receive this message from the SALW assistance platform (UNGA resolution 62/47) because of your notification preferences.',
  'layout.preferences':
    'To choose which notifications you receive, and how, change your notification preferences.',
  'layout.footerAccount':
    'You receive this message from the SALW assistance platform (UNGA resolution 62/47) about your account.',
  'reset.subject': 'Reset your password',
  'reset.intro':
    'Someone (hopefully you) asked to reset the password of your account on the SALW assistance platform. Open this link within one hour to choose a new password:',
  'reset.ignore': 'If you did not ask for this, ignore this message: your password stays as it is.',
  'digest.subject': 'Your daily summary: {count} notifications',
  'digest.intro': 'Here is what happened on the platform since your last summary.',
  'reason.out_of_scope': 'out of scope',
  'reason.no_budget': 'no budget',
  'reason.duplicate': 'duplicate',
  'reason.timing': 'timing',
  'reason.other': 'other reason',
  'alert.over_commitment': 'over-commitment',
  'alert.donor_overlap': 'donors overlapping',
  'alert.envelope_exceeded': 'envelope exceeded',
  'match.suggested.title': 'New suggested match: {need}',
  'match.suggested.body':
    'The matching engine suggests the offer “{offer}” from {donor} for the need “{need}” of {state} (score {score}).',
  'match.shortlisted.title': 'Match shortlisted: {need}',
  'match.shortlisted.body':
    'The secretariat shortlisted the offer “{offer}” from {donor} for the need “{need}” of {state}.',
  'match.proposed.title': 'Match proposed: {need}',
  'match.proposed.body':
    'The secretariat proposes the offer “{offer}” from {donor} for the need “{need}” of {state}. Please review it, then express your interest or decline.',
  'match.interest.title': 'Interest expressed: {need}',
  'match.interest.body':
    '{actor} expressed interest in the match between the need “{need}” of {state} and the offer “{offer}” from {donor}.',
  'match.agreed.title': 'Match agreed: {need}',
  'match.agreed.body':
    '{state} and {donor} have both expressed interest: the match between the need “{need}” and the offer “{offer}” is agreed, and the donor may now commit funds.',
  'match.declined.title': 'Match declined: {need}',
  'match.declined.body':
    '{actor} declined the match between the need “{need}” of {state} and the offer “{offer}” from {donor} (reason: {reason}).',
  'match.committed.title': 'Funds committed: {need}',
  'match.committed.body':
    '{donor} committed {amount} to the need “{need}” of {state} through the offer “{offer}”.',
  'match.comment_added.title': 'New comment: {need}',
  'match.comment_added.body':
    '{actor} commented on the match between the need “{need}” and the offer “{offer}”: “{excerpt}”',
  'need.consent_requested.title': 'Your consent is requested: {need}',
  'need.consent_requested.body':
    'The secretariat filed the need “{need}” on behalf of {state}. It circulates once you consent, or without objection after {deadline}.',
  'match.delivery_started.title': 'Delivery started: {need}',
  'match.delivery_started.body':
    'Delivery of the assistance from {donor} for the need “{need}” of {state} has started (offer “{offer}”).',
  'match.delivered.title': 'Delivered: {need}',
  'match.delivered.body':
    'The assistance from {donor} for the need “{need}” of {state} is marked delivered (offer “{offer}”).',
  'match.closed.title': 'Match closed: {need}',
  'match.closed.body':
    'The match between the need “{need}” of {state} and the offer “{offer}” from {donor} is closed.',
  'need.submitted.title': 'Need submitted for review: {need}',
  'need.submitted.body': '{state} submitted the need “{need}” to the secretariat for review.',
  'need.published.title': 'Need published: {need}',
  'need.published.body':
    'The secretariat published the need “{need}” of {state}: it now circulates, and the platform suggests it to the donors who may see it.',
  'need.returned.title': 'Need returned: {need}',
  'need.returned.body':
    'The secretariat returned the need “{need}” of {state} to draft, with this note: {excerpt}',
  'need.expired.title': 'Need expired: {need}',
  'need.expired.body':
    'The need “{need}” of {state} passed its needed-by date ({neededBy}) and has expired.',
  'follow_up.agreement.title': 'Follow-up: {need}',
  'follow_up.agreement.body':
    '{days} days ago {state} and {donor} agreed on the match between the need “{need}” and the offer “{offer}”. Please update the platform on the progress of this assistance.',
  'follow_up.stale_need.title': 'No agreed match yet: {need}',
  'follow_up.stale_need.body':
    'The need “{need}” of {state} was published {days} days ago and has no agreed match yet.',
  'coordination.alert.raised.title': 'Coordination alert: {kind}',
  'coordination.alert.raised.body': '{summary}',
  'webhook.disabled.title': 'Webhook disabled: {url}',
  'webhook.disabled.body':
    'Deliveries to {url} kept failing, so the endpoint was disabled. Last error: {error}. Fix the receiving service, then enable the endpoint again; failed deliveries can be redelivered.',
};

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;
