//! What the generated mail says: subjects and paragraphs per language, and
//! the filler (more paragraphs, HTML, attachments) that gives it a real size.

use super::people::Lang;
use super::rng::Rng;

/// A subject about monitoring cold stores, warehouses or labs.
pub(super) fn subject(rng: &mut Rng, lang: Lang) -> String {
    let n = rng.range(6, 120);
    let site = rng.pick(SITES);
    match lang {
        Lang::En => format!(
            "{} {n} sensors for our {site} site",
            rng.pick(&[
                "Quote request:",
                "Enquiry:",
                "Pricing for",
                "Demo request -"
            ])
        ),
        Lang::De => format!("Anfrage Temperaturüberwachung {site} ({n} Messpunkte)"),
        Lang::Fr => format!("Demande de devis : {n} capteurs pour notre entrepôt de {site}"),
        Lang::Pt => format!("Pedido de orçamento: {n} sensores para o armazém de {site}"),
        Lang::Es => format!("Solicitud de presupuesto: {n} sensores para el almacén de {site}"),
    }
}

const SITES: &[&str] = &[
    "Porto",
    "Hamburg",
    "Lyon",
    "Rotterdam",
    "Sevilla",
    "Leeds",
    "Braga",
    "Lille",
];

/// Opening line to `first`.
pub(super) fn greeting(lang: Lang, first: &str) -> String {
    match lang {
        Lang::En => format!("Dear {first},"),
        Lang::De => format!("Hallo {first},"),
        Lang::Fr => format!("Bonjour {first},"),
        Lang::Pt => format!("Olá {first},"),
        Lang::Es => format!("Hola {first},"),
    }
}

/// A closing formula.
pub(super) fn closing(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Best regards,",
        Lang::De => "Mit freundlichen Grüßen",
        Lang::Fr => "Bien cordialement,",
        Lang::Pt => "Com os melhores cumprimentos,",
        Lang::Es => "Un saludo,",
    }
}

/// `count` paragraphs of an inquiry from a prospect.
pub(super) fn inquiry(rng: &mut Rng, lang: Lang, count: usize) -> Vec<&'static str> {
    (0..count).map(|_| rng.pick(inquiry_bank(lang))).collect()
}

fn inquiry_bank(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "We run several cold-storage rooms and need temperature monitoring with alerts by SMS and e-mail. Could you send us a quote including installation?",
            "Our current system reaches end-of-life next spring, so we would like to decide before the end of the quarter. A three-year support contract would be important for us.",
            "Could you tell us whether your loggers can be calibrated on site, and what the audit trail looks like for our quality team?",
            "We would appreciate a short overview of your offering, references in pharma logistics, and your availability for a call next week.",
        ],
        Lang::De => &[
            "Wir betreiben zwei Kühllager und suchen eine Funklösung zur Temperaturüberwachung mit Alarmierung per SMS. Bitte senden Sie uns ein Angebot.",
            "Unser bestehendes System wird im Frühjahr abgekündigt, daher möchten wir noch in diesem Quartal entscheiden.",
            "Können Ihre Datenlogger vor Ort kalibriert werden, und wie sieht der Audit-Trail für unsere Qualitätssicherung aus?",
        ],
        Lang::Fr => &[
            "Nous exploitons plusieurs chambres froides et cherchons une solution de surveillance de température avec alertes par SMS. Pourriez-vous nous faire parvenir un devis ?",
            "Notre système actuel arrive en fin de vie au printemps, nous souhaitons donc décider avant la fin du trimestre.",
            "Vos enregistreurs peuvent-ils être étalonnés sur site, et à quoi ressemble la traçabilité pour notre service qualité ?",
        ],
        Lang::Pt => &[
            "Temos várias câmaras frigoríficas e precisamos de monitorização de temperatura com alertas por SMS. Podem enviar-nos um orçamento com instalação?",
            "O nosso sistema atual deixa de ter suporte na primavera, por isso gostaríamos de decidir ainda este trimestre.",
            "Os vossos registadores podem ser calibrados no local? Como funciona o registo de auditoria para a nossa equipa de qualidade?",
        ],
        Lang::Es => &[
            "Gestionamos varias cámaras frigoríficas y buscamos una solución de monitorización de temperatura con alertas por SMS. ¿Podrían enviarnos un presupuesto?",
            "Nuestro sistema actual deja de tener soporte en primavera, así que queremos decidir antes de que acabe el trimestre.",
            "¿Se pueden calibrar sus registradores in situ y cómo es la trazabilidad para nuestro equipo de calidad?",
        ],
    }
}

/// A rep's note above a forward.
pub(super) fn forward_note(rng: &mut Rng, lang: Lang) -> &'static str {
    let bank: &[&'static str] = match lang {
        Lang::En => &[
            "Another one for the pipeline, I'll call them on Monday.",
            "Please file this one, they came through the website chat.",
            "Forwarding this enquiry, they need an answer by Friday.",
        ],
        Lang::De => &[
            "Neue Anfrage, bitte im CRM anlegen.",
            "Zur Info, ich rufe morgen an.",
        ],
        Lang::Fr => &[
            "Nouvelle demande, à suivre.",
            "Pour le CRM, je les rappelle demain.",
        ],
        Lang::Pt => &[
            "Mais um para o pipeline, ligo-lhes amanhã.",
            "Novo pedido, por favor registar.",
        ],
        Lang::Es => &[
            "Otra solicitud para el pipeline, les llamo mañana.",
            "Para el CRM, por favor.",
        ],
    };
    rng.pick(bank)
}

/// A rep's cold outbound mail, in English (the reps write English to prospects).
pub(super) fn pitch(rng: &mut Rng, count: usize) -> Vec<&'static str> {
    const BANK: &[&str] = &[
        "It was good to meet you at the trade fair last week. As promised, here is a short summary of how we help warehouses keep an audit-proof record of temperatures.",
        "Would you have 20 minutes next week for a call? I can show you the dashboard we run for two other sites in your region.",
        "Our wireless loggers install in an afternoon, alert by SMS and e-mail, and keep a tamper-proof history for your auditors.",
        "I have attached a short case study from a pharma distributor who cut their excursion losses by half in the first year.",
    ];
    (0..count).map(|_| rng.pick(BANK)).collect()
}

/// A prospect's answer in a thread.
pub(super) fn reply(rng: &mut Rng) -> &'static str {
    const BANK: &[&str] = &[
        "Thanks for reaching out. Yes, we are reviewing our monitoring setup next quarter, so the timing is good. Could you send a short proposal?",
        "Thank you for the information. I have shared it with our operations manager; could we have a call on Thursday afternoon?",
        "Interesting, thanks. What would the yearly licence cost for about fifty sensors across two sites?",
    ];
    rng.pick(BANK)
}

/// Filler paragraphs (a long signature, a disclaimer, background) of about `bytes`.
pub(super) fn filler(rng: &mut Rng, bytes: usize) -> String {
    const BANK: &[&str] = &[
        "This message and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender and delete it.",
        "Our logistics centre operates around the clock, with deliveries accepted between 06:00 and 22:00 on weekdays and by appointment at weekends.",
        "Please consider the environment before printing this e-mail. Registered office as shown on our website; company registration and VAT numbers available on request.",
        "For support requests, please open a ticket in the customer portal so that the on-call team sees it immediately.",
    ];
    let mut out = String::with_capacity(bytes + 200);
    while out.len() < bytes {
        out.push_str(rng.pick(BANK));
        out.push_str("\n\n");
    }
    out
}

/// The text as a styled HTML document, padded with markup to about `bytes`.
pub(super) fn html(text: &str, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 512);
    out.push_str("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><style>p{margin:0 0 12px 0;font-family:Calibri,Arial,sans-serif;font-size:11pt}</style></head><body><div dir=\"ltr\">\n");
    for line in text.lines() {
        out.push_str("<p style=\"margin:0;font-family:Calibri,Arial,sans-serif;font-size:11pt;color:#1f1f1f\">");
        escape_into(&mut out, line);
        out.push_str("</p>\n");
    }
    while out.len() < bytes {
        out.push_str("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse;width:100%\"><tr><td style=\"padding:4px 0;font-family:Arial,sans-serif;font-size:9pt;color:#7a7a7a\">&nbsp;</td></tr></table>\n");
    }
    out.push_str("</div></body></html>\n");
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// `data` in base64, wrapped at 76 columns with CRLF.
pub(super) fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() * 4 / 3 + data.len() / 38 + 8);
    for (i, chunk) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        let cases = [
            ("", "\r\n"),
            ("f", "Zg==\r\n"),
            ("fo", "Zm8=\r\n"),
            ("foo", "Zm9v\r\n"),
            ("foobar", "Zm9vYmFy\r\n"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn html_escapes_markup_and_reaches_the_requested_size() {
        let page = html("a <b> & \"c\"", 5000);
        assert!(page.contains("a &lt;b&gt; &amp; &quot;c&quot;"));
        assert!(page.len() >= 5000);
    }
}
