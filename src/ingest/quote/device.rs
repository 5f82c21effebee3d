//! Device signatures ("Sent from my iPhone" in any language and script) and the invisible
//! tracking glyphs some webmail extensions append (issue 15).
//!
//! The shape is a short line that names a device or a mail app; the localised phrasings
//! below, taken from the clients' own translations (iOS Mail, Samsung and Android mail,
//! Outlook mobile), are the evidence that it is a footer and not a sentence.

use regex::Regex;
use std::sync::LazyLock;

/// Longest device line, in words.
const MAX_WORDS: usize = 9;
/// Longest device line that ends with the footer's verb, in words: "Diese Nachricht wurde von
/// meinem Android-Mobiltelefon mit GMX Mail gesendet." (K-9 Mail and GMX's German footer).
const MAX_WORDS_VERB_LAST: usize = 12;

/// A device, phone or mail app name, in Latin and other scripts.
static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)iphon|ipad|android|blackberry|samsung|galaxy|huawei|xiaomi|pixel|nokia|htc|motorola",
        r"|wiko|oneplus|oppo|sony|lumia|nexus|kindle|verizon|wireless|windows|device|appareil|ger[äa]t|dispositivo",
        r"|apparaat|enhet|laite|urz[ąa]dzeni|outlook|gmail|yahoo|aol|proton|typeapp|spark|airmail|bluemail|k-9|fairemail|mobile|mobil",
        r"|mail app|gmx|web\.de|m[óo]vil|cellulare|telefon|tel[ée]fono|handy|smartphone|tablet|téléphone|telem[óo]vel|celular|puhelin",
        r"|телефон|смартфон|мобильн|мобільн|κινητ|τηλέφωνο|טלפון|נייד|الجوال|هاتف|جوال|携帯|手机|手機",
        r"|휴대폰|모바일|스마트폰"
    ))
    .unwrap()
});

/// "Sent from / with / by / via …" and its translations: the phrasing of a device footer.
static SENT_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:sent|get|envoy[ée]|obtenez|obtenir|obtener|obter|scarica|h[äa]mta|hent|få|hanki",
        r"|pobierz|получить|получите|отримати|завантажте|获取|取得|enviado|obt[ée]n|gesendet",
        r"|von meinem|verzonden|verstuurd",
        r"|inviato|skickat|sendt|l[äa]hetetty|wys[łl]ane|odesl[áa]no|odoslan[ée]|poslano|poslato",
        r"|trimis|elk[üu]ldve|k[üu]ldve|saadetud|g[öo]nderildi|отправлено|надіслано|изпратено",
        r"|послато|послано|στάλθηκε|εστάλη|נשלח|أُرسلت|أرسلت|تم الإرسال|從我的|从我的|发自|發自",
        r"|보낸|나의|(?:được |đã được )?g[ửở]i từ|ส่งจาก|dikirim dari|dihantar dari|enviat|nos[ūu]t[īi]ts|i[šs]si[ųu]sta|poslano iz",
        r"|t[ée]l[ée]charger|skaffa|st[áa]hn[ěe]te|descargar|baixar|downloaden",
        r"|d[ëe]rguar nga|испратено|ipinadala|imetumwa|anfonwyd|ارسال شده|来自|來自)"
    ))
    .unwrap()
});

/// The footer's verb at the end, as in Japanese, Korean, Turkish and Hungarian
/// ("iPhoneから送信", "나의 iPhone에서 보냄", "iPhone'umdan gönderildi", "iPhone-ról küldve").
static TRAILING_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:から送信|より送信|を入手|发送|發送|에서 보냄|보냄|gönderildi|küldve|gesendet",
        r"|beziehen|herunterladen|downloaden|받기|edinin|letöltése|g[öo]nd[əe]rildi|bidalia",
        r"|بھیجا گیا|भेजा गया|পাঠানো)\s*\.?$",
    ))
    .unwrap()
});

/// Whether `line` names a device, a phone or a mail app, in any of the scripts above.
pub(super) fn names_a_device(line: &str) -> bool {
    DEVICE.is_match(line)
}

/// Whether `line` is a device signature such as "Sent from my iPhone" or "iPhoneから送信".
pub(super) fn is_device_signature(line: &str) -> bool {
    // Read without direction marks ("\u{200F}נשלח מה-iPhone שלי\u{200F}").
    let plain = super::marks::plain(line);
    let line = plain.trim().trim_matches(['_', '*', '-', '—', ' ']);
    let line = without_carrier(line);
    if is_outlook_app_footer(line) {
        return true;
    }
    let words = line.split_whitespace().count();
    let verb_last = TRAILING_VERB.is_match(line);
    !line.is_empty()
        && (words <= MAX_WORDS || verb_last && words <= MAX_WORDS_VERB_LAST)
        && line.chars().count() <= 100
        && !line.ends_with(['?', ':'])
        && DEVICE.is_match(line)
        && (SENT_PHRASE.is_match(line) || verb_last)
}

/// The footer without the carrier some phones add after it ("Sent from my BlackBerry 10
/// smartphone on the Verizon Wireless 4G LTE network.").
fn without_carrier(line: &str) -> &str {
    static CARRIER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\s+(?:on|via) (?:the )?[\w&. -]{1,40}? network\.?$").unwrap()
    });
    if !line.ends_with("network") && !line.ends_with("network.") {
        return line;
    }
    CARRIER
        .find(line)
        .map_or(line, |carrier| &line[..carrier.start()])
}

/// Outlook's "get the app" footer in any language: a line of at most six words naming
/// Outlook that ends with the phone's system, or with one word after it ("Tải Outlook cho
/// Android", "Outlook letöltése Android rendszerre"); "Outlook for iOS crashed again" goes on.
fn is_outlook_app_footer(line: &str) -> bool {
    if !line.contains("Outlook") {
        return false;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let is_system = |word: &&str| word.starts_with("iOS") || word.starts_with("Android");
    words.len() <= 6
        && words.iter().any(|word| word.contains("Outlook"))
        && words.iter().rev().take(2).any(is_system)
        && !line.ends_with(['?', '!', ':'])
}

/// Whether `line` holds only invisible or tracking characters ("ᐧ", zero-width spaces).
pub(super) fn is_tracking_glyph(line: &str) -> bool {
    let trimmed = line.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    !line.trim().is_empty() && trimmed.chars().all(|c| c == 'ᐧ')
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_signatures_in_many_languages_and_scripts_are_recognised() {
        let lines = [
            "Sent from my iPhone",
            "Von meinem iPhone gesendet",
            "Envoyé de mon iPhone",
            "Enviado desde mi iPhone",
            "Enviado do meu iPhone",
            "Inviato da iPhone",
            "Verzonden vanaf mijn iPhone",
            "Skickat från min iPhone",
            "Sendt fra min iPhone",
            "Lähetetty iPhonesta",
            "Wysłane z iPhone'a",
            "Odesláno z iPhonu",
            "Odoslané z iPhonu",
            "Poslano s mog iPhonea",
            "Trimis de pe iPhone-ul meu",
            "iPhone-ról küldve",
            "Saadetud minu iPhone'ist",
            "iPhone'umdan gönderildi",
            "Отправлено с iPhone",
            "Надіслано з iPhone",
            "Изпратено от моя iPhone",
            "Послато са мог iPhone-а",
            "Στάλθηκε από το iPhone μου",
            "נשלח מה-iPhone שלי",
            "أُرسلت من الـ iPhone",
            "iPhoneから送信",
            "从我的iPhone发送",
            "發自我的 iPhone",
            "나의 iPhone에서 보냄",
            "Được gửi từ iPhone của tôi",
            "Gửi từ iPhone của tôi",
            "Sent from my Samsung Galaxy smartphone.",
            "Get Outlook for Android",
            "Sent from Yahoo Mail on Android",
            "Sent from my BlackBerry® wireless device",
            "Envoyé de mon Wiko",
            "Obtenir Outlook pour iOS",
            "Outlook für iOS beziehen",
            "Scarica Outlook per Android",
            "Hämta Outlook för iOS",
            "Pobierz aplikację Outlook dla systemu Android",
            "iOS 版 Outlook を入手",
        ];
        for line in lines {
            assert!(is_device_signature(line), "{line}");
        }
    }

    #[test]
    fn sentences_that_mention_a_phone_are_not_device_signatures() {
        for line in [
            "I sent it from my phone yesterday, did you get it?",
            "Sent the iPhone order to the warehouse and the invoice to accounting today as agreed",
            "Our Android app is ready",
        ] {
            assert!(!is_device_signature(line), "{line}");
        }
    }

    #[test]
    fn a_tracking_glyph_line_is_recognised() {
        assert!(is_tracking_glyph("ᐧ"));
        assert!(is_tracking_glyph(" \u{200B}ᐧ "));
        assert!(!is_tracking_glyph("Thanks ᐧ"));
    }
}
