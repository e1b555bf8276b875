import type { Catalogue } from './en';

/** French: complete (the compiler refuses a missing key). */
export const fr: Catalogue = {
  'layout.greeting': 'Bonjour {name},',
  'layout.open': 'Ouvrir sur la plateforme',
  'layout.footer':
    'Vous recevez ce message de la plateforme d’assistance ALPC (résolution 62/47 de l’Assemblée générale) en raison de vos préférences de notification.',
  'layout.preferences':
    'Pour choisir les notifications que vous recevez et leur mode d’envoi, modifiez vos préférences de notification.',
  'layout.footerAccount':
    'Vous recevez ce message de la plateforme d’assistance ALPC (résolution 62/47 de l’Assemblée générale) au sujet de votre compte.',
  'reset.subject': 'Réinitialiser votre mot de passe',
  'reset.intro':
    'Quelqu’un (vous, espérons-le) a demandé à réinitialiser le mot de passe de votre compte sur la plateforme d’assistance ALPC. Ouvrez ce lien dans l’heure pour choisir un nouveau mot de passe :',
  'reset.ignore':
    'Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.',
  'digest.subject': 'Votre résumé quotidien : {count} notifications',
  'digest.intro': 'Voici ce qui s’est passé sur la plateforme depuis votre dernier résumé.',
  'reason.out_of_scope': 'hors du champ',
  'reason.no_budget': 'pas de budget',
  'reason.duplicate': 'doublon',
  'reason.timing': 'calendrier',
  'reason.other': 'autre motif',
  'alert.over_commitment': 'engagement excédentaire',
  'alert.donor_overlap': 'chevauchement de donateurs',
  'alert.envelope_exceeded': 'enveloppe dépassée',
  'match.suggested.title': 'Nouvelle correspondance suggérée : {need}',
  'match.suggested.body':
    'Le moteur de correspondance suggère l’offre « {offer} » de {donor} pour le besoin « {need} » de {state} (score {score}).',
  'match.shortlisted.title': 'Correspondance présélectionnée : {need}',
  'match.shortlisted.body':
    'Le secrétariat a présélectionné l’offre « {offer} » de {donor} pour le besoin « {need} » de {state}.',
  'match.proposed.title': 'Correspondance proposée : {need}',
  'match.proposed.body':
    'Le secrétariat propose l’offre « {offer} » de {donor} pour le besoin « {need} » de {state}. Veuillez l’examiner, puis manifester votre intérêt ou la décliner.',
  'match.interest.title': 'Intérêt manifesté : {need}',
  'match.interest.body':
    '{actor} a manifesté son intérêt pour la correspondance entre le besoin « {need} » de {state} et l’offre « {offer} » de {donor}.',
  'match.agreed.title': 'Correspondance convenue : {need}',
  'match.agreed.body':
    '{state} et {donor} ont tous deux manifesté leur intérêt : la correspondance entre le besoin « {need} » et l’offre « {offer} » est convenue, et le donateur peut désormais engager des fonds.',
  'match.declined.title': 'Correspondance déclinée : {need}',
  'match.declined.body':
    '{actor} a décliné la correspondance entre le besoin « {need} » de {state} et l’offre « {offer} » de {donor} (motif : {reason}).',
  'match.committed.title': 'Fonds engagés : {need}',
  'match.committed.body':
    '{donor} a engagé {amount} pour le besoin « {need} » de {state} au titre de l’offre « {offer} ».',
  'match.comment_added.title': 'Nouveau commentaire : {need}',
  'match.comment_added.body':
    '{actor} a commenté la correspondance entre le besoin « {need} » et l’offre « {offer} » : « {excerpt} »',
  'need.consent_requested.title': 'Votre consentement est demandé : {need}',
  'need.consent_requested.body':
    'Le secrétariat a déposé le besoin « {need} » au nom de {state}. Il sera diffusé dès votre consentement, ou sans objection de votre part après le {deadline}.',
  'match.delivery_started.title': 'Mise en œuvre commencée : {need}',
  'match.delivery_started.body':
    'La mise en œuvre de l’assistance de {donor} pour le besoin « {need} » de {state} a commencé (offre « {offer} »).',
  'match.delivered.title': 'Assistance fournie : {need}',
  'match.delivered.body':
    'L’assistance de {donor} pour le besoin « {need} » de {state} est marquée comme fournie (offre « {offer} »).',
  'match.closed.title': 'Correspondance close : {need}',
  'match.closed.body':
    'La correspondance entre le besoin « {need} » de {state} et l’offre « {offer} » de {donor} est close.',
  'need.submitted.title': 'Besoin soumis pour examen : {need}',
  'need.submitted.body': '{state} a soumis le besoin « {need} » au secrétariat pour examen.',
  'need.published.title': 'Besoin publié : {need}',
  'need.published.body':
    'Le secrétariat a publié le besoin « {need} » de {state} : il est désormais diffusé, et la plateforme le suggère aux donateurs qui peuvent le voir.',
  'need.returned.title': 'Besoin renvoyé : {need}',
  'need.returned.body':
    'Le secrétariat a renvoyé le besoin « {need} » de {state} à l’état de brouillon, avec cette note : {excerpt}',
  'need.expired.title': 'Besoin expiré : {need}',
  'need.expired.body':
    'Le besoin « {need} » de {state} a dépassé sa date limite ({neededBy}) et a expiré.',
  'follow_up.agreement.title': 'Suivi : {need}',
  'follow_up.agreement.body':
    'Il y a {days} jours, {state} et {donor} sont convenus de la correspondance entre le besoin « {need} » et l’offre « {offer} ». Veuillez mettre à jour la plateforme sur l’avancement de cette assistance.',
  'follow_up.stale_need.title': 'Toujours aucune correspondance convenue : {need}',
  'follow_up.stale_need.body':
    'Le besoin « {need} » de {state} a été publié il y a {days} jours et n’a encore aucune correspondance convenue.',
  'coordination.alert.raised.title': 'Alerte de coordination : {kind}',
  'coordination.alert.raised.body': '{summary}',
  'webhook.disabled.title': 'Webhook désactivé : {url}',
  'webhook.disabled.body':
    'Les envois vers {url} échouaient de façon persistante ; le point de terminaison a donc été désactivé. Dernière erreur : {error}. Corrigez le service récepteur, puis réactivez le point de terminaison ; les envois échoués peuvent être renvoyés.',
};
