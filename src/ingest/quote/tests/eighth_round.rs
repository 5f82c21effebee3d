//! Issue 15, eighth round: Outlook reply headers without an address whose labels only the
//! forward reader listed (the two lists had drifted apart; the reply splitter now takes every
//! forward label of its fields), written out as replies of our own.

use super::super::*;

const REPLY: &str = "Thanks, the Tuesday slot works for us.\nWe will bring the specs.";
const HISTORY: &str = "Hello,\nwould Tuesday at 10 suit you?\nBest\nAna";

#[test]
fn an_outlook_header_labelled_as_forwards_are_is_cut_without_an_address() {
    for [from, sent, to, subject] in [
        ["Από:", "Στάλθηκε:", "Προς:", "Θέμα:"],
        ["Expéditeur :", "Envoyé :", "Destinataire :", "Objet :"],
        ["Remitente:", "Enviado el:", "Destinatario:", "Asunto:"],
        ["Mittente:", "Data:", "Destinatario:", "Oggetto:"],
        ["Gönderen:", "Gönderilen:", "Kime:", "Konu:"],
        ["Afzender:", "Verstuurd:", "Aan:", "Onderwerp:"],
    ] {
        let text = format!(
            "{REPLY}\n\n________________________________\n{from} Ana Souza\n{sent} 4 March 2026 10:12\n{to} Jo Lee\n{subject} Re: Tuesday\n\n{HISTORY}\n"
        );
        assert_eq!(strip_quoted(&text), REPLY, "{from} {sent}");
    }
}

#[test]
fn a_reply_that_names_those_labels_in_its_own_lines_keeps_them() {
    let text = format!("{REPLY}\n\nDestinatario: the purchasing team\nThanks\n");
    assert_eq!(strip_quoted(&text).trim(), text.trim());
}
