// The few sentences the runtime says on its own (wrong key, goodbye, voicemail tone
// cue...), in the language of the flow so a Spanish menu is not followed by an
// English "Goodbye." Languages without a table here fall back to English.

type Lang = 'en' | 'es' | 'fr' | 'de';

interface Phrases {
  invalidOption: string;
  goodbye: string;
  unavailable: string;
  voicemailGreeting: string;
  directoryPrompt: string;
  directoryNoMatch: string;
  directoryTooMany: string;
  directoryChoice: (name: string, key: string) => string;
  connecting: (name: string) => string;
  callbackOffer: (key: string) => string;
  callbackConfirmed: string;
  keyNames: { '*': string; '#': string };
}

const TABLE: Record<Lang, Phrases> = {
  en: {
    invalidOption: 'Sorry, that is not a valid option.',
    goodbye: 'Goodbye.',
    unavailable: 'Sorry, we could not connect your call. Goodbye.',
    voicemailGreeting: 'Please leave a message after the tone.',
    directoryPrompt: "Please enter the first letters of the person's name, then press pound.",
    directoryNoMatch: 'Sorry, no name matches.',
    directoryTooMany: 'Too many names match. Please enter more letters.',
    directoryChoice: (name, key) => `For ${name}, press ${key}.`,
    connecting: (name) => `Connecting you to ${name}.`,
    callbackOffer: (key) => `To be called back instead of waiting, press ${key}.`,
    callbackConfirmed: 'Thank you. We will call you back shortly. Goodbye.',
    keyNames: { '*': 'star', '#': 'pound' },
  },
  es: {
    invalidOption: 'Lo siento, esa opción no es válida.',
    goodbye: 'Adiós.',
    unavailable: 'Lo siento, no pudimos conectar su llamada. Adiós.',
    voicemailGreeting: 'Por favor, deje un mensaje después del tono.',
    directoryPrompt: 'Introduzca las primeras letras del nombre de la persona y pulse la tecla almohadilla.',
    directoryNoMatch: 'Lo siento, ningún nombre coincide.',
    directoryTooMany: 'Demasiados nombres coinciden. Introduzca más letras.',
    directoryChoice: (name, key) => `Para ${name}, pulse ${key}.`,
    connecting: (name) => `Le comunicamos con ${name}.`,
    callbackOffer: (key) => `Para que le devolvamos la llamada en lugar de esperar, pulse ${key}.`,
    callbackConfirmed: 'Gracias. Le devolveremos la llamada en breve. Adiós.',
    keyNames: { '*': 'asterisco', '#': 'almohadilla' },
  },
  fr: {
    invalidOption: "Désolé, cette option n'est pas valide.",
    goodbye: 'Au revoir.',
    unavailable: "Désolé, nous n'avons pas pu transférer votre appel. Au revoir.",
    voicemailGreeting: 'Veuillez laisser un message après le bip.',
    directoryPrompt: 'Veuillez saisir les premières lettres du nom de la personne, puis appuyez sur dièse.',
    directoryNoMatch: 'Désolé, aucun nom ne correspond.',
    directoryTooMany: 'Trop de noms correspondent. Veuillez saisir plus de lettres.',
    directoryChoice: (name, key) => `Pour ${name}, appuyez sur ${key}.`,
    connecting: (name) => `Nous vous mettons en relation avec ${name}.`,
    callbackOffer: (key) => `Pour être rappelé au lieu de patienter, appuyez sur ${key}.`,
    callbackConfirmed: 'Merci. Nous vous rappellerons bientôt. Au revoir.',
    keyNames: { '*': 'étoile', '#': 'dièse' },
  },
  de: {
    invalidOption: 'Entschuldigung, diese Auswahl ist ungültig.',
    goodbye: 'Auf Wiedersehen.',
    unavailable: 'Leider konnten wir Ihren Anruf nicht verbinden. Auf Wiedersehen.',
    voicemailGreeting: 'Bitte hinterlassen Sie nach dem Signalton eine Nachricht.',
    directoryPrompt: 'Bitte geben Sie die ersten Buchstaben des Namens ein und drücken Sie dann die Rautetaste.',
    directoryNoMatch: 'Leider passt kein Name.',
    directoryTooMany: 'Zu viele Namen passen. Bitte geben Sie weitere Buchstaben ein.',
    directoryChoice: (name, key) => `Für ${name} drücken Sie die ${key}.`,
    connecting: (name) => `Sie werden mit ${name} verbunden.`,
    callbackOffer: (key) => `Um zurückgerufen zu werden, statt zu warten, drücken Sie die ${key}.`,
    callbackConfirmed: 'Vielen Dank. Wir rufen Sie in Kürze zurück. Auf Wiedersehen.',
    keyNames: { '*': 'Sterntaste', '#': 'Rautetaste' },
  },
};

/** The phrase table for a BCP-47 tag, by its primary language ("es-MX" uses "es"). */
export function phrasesFor(language: string): Phrases {
  const primary = language.split('-')[0]!.toLowerCase();
  return (TABLE as Record<string, Phrases | undefined>)[primary] ?? TABLE.en;
}

/** How a key is said aloud: digits as is, "*" and "#" by name. */
export function spokenKey(key: string, language: string): string {
  return key === '*' || key === '#' ? phrasesFor(language).keyNames[key] : key;
}
