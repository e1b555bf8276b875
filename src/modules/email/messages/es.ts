import type { Catalogue } from './en';

/** Spanish: complete (the compiler refuses a missing key). */
export const es: Catalogue = {
  'layout.greeting': 'Hola, {name}:',
  'layout.open': 'Abrir en la plataforma',
  'layout.footer':
    'Recibe este mensaje de la plataforma de asistencia sobre APAL (resolución 62/47 de la Asamblea General) debido a sus preferencias de notificación.',
  'layout.preferences':
    'Para elegir qué notificaciones recibe y cómo, modifique sus preferencias de notificación.',
  'layout.footerAccount':
    'Recibe este mensaje de la plataforma de asistencia sobre APAL (resolución 62/47 de la Asamblea General) en relación con su cuenta.',
  'reset.subject': 'Restablecer su contraseña',
  'reset.intro':
    'Alguien (esperamos que usted) pidió restablecer la contraseña de su cuenta en la plataforma de asistencia sobre APAL. Abra este enlace en el plazo de una hora para elegir una nueva contraseña:',
  'reset.ignore': 'Si no lo pidió, ignore este mensaje: su contraseña no cambia.',
  'digest.subject': 'Su resumen diario: {count} notificaciones',
  'digest.intro': 'Esto es lo que ha ocurrido en la plataforma desde su último resumen.',
  'reason.out_of_scope': 'fuera del ámbito',
  'reason.no_budget': 'sin presupuesto',
  'reason.duplicate': 'duplicado',
  'reason.timing': 'calendario',
  'reason.other': 'otro motivo',
  'alert.over_commitment': 'compromiso excesivo',
  'alert.donor_overlap': 'superposición de donantes',
  'alert.envelope_exceeded': 'dotación superada',
  'match.suggested.title': 'Nueva correspondencia sugerida: {need}',
  'match.suggested.body':
    'El motor de correspondencias sugiere la oferta «{offer}» de {donor} para la necesidad «{need}» de {state} (puntuación {score}).',
  'match.shortlisted.title': 'Correspondencia preseleccionada: {need}',
  'match.shortlisted.body':
    'La secretaría preseleccionó la oferta «{offer}» de {donor} para la necesidad «{need}» de {state}.',
  'match.proposed.title': 'Correspondencia propuesta: {need}',
  'match.proposed.body':
    'La secretaría propone la oferta «{offer}» de {donor} para la necesidad «{need}» de {state}. Examínela y luego manifieste su interés o recházela.',
  'match.interest.title': 'Interés manifestado: {need}',
  'match.interest.body':
    '{actor} manifestó interés en la correspondencia entre la necesidad «{need}» de {state} y la oferta «{offer}» de {donor}.',
  'match.agreed.title': 'Correspondencia acordada: {need}',
  'match.agreed.body':
    '{state} y {donor} han manifestado su interés: la correspondencia entre la necesidad «{need}» y la oferta «{offer}» queda acordada, y el donante ya puede comprometer fondos.',
  'match.declined.title': 'Correspondencia rechazada: {need}',
  'match.declined.body':
    '{actor} rechazó la correspondencia entre la necesidad «{need}» de {state} y la oferta «{offer}» de {donor} (motivo: {reason}).',
  'match.committed.title': 'Fondos comprometidos: {need}',
  'match.committed.body':
    '{donor} comprometió {amount} para la necesidad «{need}» de {state} mediante la oferta «{offer}».',
  'match.comment_added.title': 'Nuevo comentario: {need}',
  'match.comment_added.body':
    '{actor} comentó la correspondencia entre la necesidad «{need}» y la oferta «{offer}»: «{excerpt}»',
  'need.consent_requested.title': 'Se solicita su consentimiento: {need}',
  'need.consent_requested.body':
    'La secretaría registró la necesidad «{need}» en nombre de {state}. Se difundirá cuando usted dé su consentimiento, o sin objeción después del {deadline}.',
  'match.delivery_started.title': 'Ejecución iniciada: {need}',
  'match.delivery_started.body':
    'Ha comenzado la ejecución de la asistencia de {donor} para la necesidad «{need}» de {state} (oferta «{offer}»).',
  'match.delivered.title': 'Asistencia entregada: {need}',
  'match.delivered.body':
    'La asistencia de {donor} para la necesidad «{need}» de {state} figura como entregada (oferta «{offer}»).',
  'match.closed.title': 'Correspondencia cerrada: {need}',
  'match.closed.body':
    'La correspondencia entre la necesidad «{need}» de {state} y la oferta «{offer}» de {donor} está cerrada.',
  'need.submitted.title': 'Necesidad presentada para examen: {need}',
  'need.submitted.body': '{state} presentó la necesidad «{need}» a la secretaría para su examen.',
  'need.published.title': 'Necesidad publicada: {need}',
  'need.published.body':
    'La secretaría publicó la necesidad «{need}» de {state}: ahora se difunde, y la plataforma la sugiere a los donantes que pueden verla.',
  'need.returned.title': 'Necesidad devuelta: {need}',
  'need.returned.body':
    'La secretaría devolvió la necesidad «{need}» de {state} a borrador, con esta nota: {excerpt}',
  'need.expired.title': 'Necesidad vencida: {need}',
  'need.expired.body':
    'La necesidad «{need}» de {state} superó su fecha límite ({neededBy}) y ha vencido.',
  'follow_up.agreement.title': 'Seguimiento: {need}',
  'follow_up.agreement.body':
    'Hace {days} días, {state} y {donor} acordaron la correspondencia entre la necesidad «{need}» y la oferta «{offer}». Actualice la plataforma sobre el avance de esta asistencia.',
  'follow_up.stale_need.title': 'Aún sin correspondencia acordada: {need}',
  'follow_up.stale_need.body':
    'La necesidad «{need}» de {state} se publicó hace {days} días y aún no tiene ninguna correspondencia acordada.',
  'coordination.alert.raised.title': 'Alerta de coordinación: {kind}',
  'coordination.alert.raised.body': '{summary}',
  'webhook.disabled.title': 'Webhook desactivado: {url}',
  'webhook.disabled.body':
    'Los envíos a {url} fallaban de forma persistente, por lo que se desactivó el punto de conexión. Último error: {error}. Corrija el servicio receptor y vuelva a activar el punto de conexión; los envíos fallidos pueden reenviarse.',
};
