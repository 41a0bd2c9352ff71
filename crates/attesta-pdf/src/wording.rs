//! The words printed on the sheet, Italian first and English beside it.

use crate::{AttestationPdf, Level, Shows};

pub(crate) const LANG_IT: &str = "it-IT";
pub(crate) const LANG_EN: &str = "en";

pub(crate) fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn or_dash(s: &str) -> String {
    let n = normalize(s);
    if n.is_empty() { "—".to_owned() } else { n }
}

/// The title: the one given, or the level's default. The first-level
/// default names no status: a blind or deaf holder is not an invalido
/// civile, and the default sheet shows no health data.
pub(crate) fn titles(doc: &AttestationPdf) -> (String, String) {
    if let Some((it, en)) = &doc.title {
        return (normalize(it), normalize(en));
    }
    let (it, en) = match doc.level {
        Level::First => (
            "Attestazione di stato di disabilità",
            "Disability status attestation",
        ),
        Level::Second => (
            "Dettagli per operatore accreditato",
            "Details for an accredited operator",
        ),
    };
    (it.to_owned(), en.to_owned())
}

pub(crate) fn document_title(doc: &AttestationPdf) -> String {
    let (it, en) = titles(doc);
    let reference = normalize(&doc.reference);
    if reference.is_empty() {
        format!("{it} / {en}")
    } else {
        format!("{it} / {en} ({reference})")
    }
}

pub(crate) fn alt_text(doc: &AttestationPdf) -> String {
    let reference = or_dash(&doc.reference);
    match doc.level {
        Level::First => format!(
            "Codice QR dell’attestazione, riferimento {reference} / QR code of the attestation, reference {reference}"
        ),
        Level::Second => format!(
            "Codice QR dei dettagli per operatore accreditato, riferimento {reference} / \
             QR code of the details for an accredited operator, reference {reference}"
        ),
    }
}

/// The rows of the data table: label, value, and the field named in errors.
pub(crate) fn data_rows(doc: &AttestationPdf) -> Vec<(&'static str, String, &'static str)> {
    let mut rows = vec![
        ("Ente emittente / Issuer", or_dash(&doc.issuer), "issuer"),
        (
            "Data di rilascio / Issued on",
            or_dash(&doc.issued_on),
            "issued_on",
        ),
        (
            "Valida fino al / Valid until",
            or_dash(&doc.valid_until),
            "valid_until",
        ),
        (
            "Riferimento / Reference",
            or_dash(&doc.reference),
            "reference",
        ),
    ];
    if doc.level == Level::Second {
        rows.push((
            "Per l’operatore accreditato / For the accredited operator",
            doc.operator
                .as_deref()
                .map_or_else(|| "—".to_owned(), or_dash),
            "operator",
        ));
    }
    rows
}

/// What the holder reads: how to show the code, what it reveals, and to
/// whom.
pub(crate) fn holder_text(doc: &AttestationPdf) -> (String, String) {
    let (mut it, mut en) = holder_base(doc);
    if doc.level == Level::Second {
        let (note_it, note_en) = sealed_for(doc.operator.as_deref());
        it.push_str(&note_it);
        en.push_str(&note_en);
    }
    if let Some((note_it, note_en)) = shows_note(doc.shows) {
        it.push_str(note_it);
        en.push_str(note_en);
    }
    if doc.details.is_none() {
        it.push_str(" Questo foglio non riporta dati sanitari in chiaro.");
        en.push_str(" This sheet shows no health data in clear.");
    }
    (it, en)
}

/// Honest about the limit (security review, finding 3): the codice
/// fiscale is computed from name, birth date and place, so it keeps the
/// content from strangers, not from people who know the holder.
fn holder_base(doc: &AttestationPdf) -> (String, String) {
    let (it, en) = if doc.level == Level::Second {
        // A token opens only with the operator's key and the CF.
        (
            "Mostrare questo codice insieme al proprio codice fiscale.",
            "Show this code together with your codice fiscale.",
        )
    } else if doc.holder_secret.is_some() {
        (
            "Mostrare questo codice insieme al proprio codice fiscale e al codice \
             segreto stampato a parte (in fondo o nella pagina seguente). Senza il codice \
             segreto il codice non rivela i vostri stati, nemmeno a chi conosce il \
             vostro codice fiscale: ritagliatelo e conservatelo separato dal codice.",
            "Show this code together with your codice fiscale and the secret code \
             printed apart (at the foot or on the next page). Without the secret code \
             the code does not reveal your statuses, not even to someone who knows \
             your codice fiscale: cut it off and keep it apart from the code.",
        )
    } else {
        (
            "Mostrare questo codice insieme al proprio codice fiscale. Senza il codice \
             fiscale il codice non rivela i vostri stati; ma il codice fiscale si ricava \
             da nome, data e luogo di nascita, quindi chi vi conosce e ha una foto del \
             codice può leggerli. Non condividete foto del codice.",
            "Show this code together with your codice fiscale. Without the codice \
             fiscale the code does not reveal your statuses; but the codice fiscale \
             follows from name, date and place of birth, so someone who knows you and \
             has a photo of the code can read them. Do not share photos of the code.",
        )
    };
    (String::from(it), String::from(en))
}

/// A second-level code is sealed for one operator: the holder shows it
/// to that operator only.
fn sealed_for(operator: Option<&str>) -> (String, String) {
    match operator.map(normalize) {
        Some(op) if !op.is_empty() => (
            format!(" Mostrarlo solo a {op}: è sigillato per questo operatore."),
            format!(" Show it only to {op}: it is sealed for this operator."),
        ),
        _ => (
            " Mostrarlo solo a un operatore accreditato.".to_owned(),
            " Show it only to an accredited operator.".to_owned(),
        ),
    }
}

fn shows_note(shows: Option<Shows>) -> Option<(&'static str, &'static str)> {
    match shows {
        Some(Shows::StatusesOnly) => Some((
            " Per scelta del titolare il codice mostra solo gli stati, senza la fascia di invalidità né la classe di cecità e senza i benefici che ne dipendono.",
            " By the holder’s choice the code shows the statuses only, without the invalidity band or blindness class and the benefits that depend on them.",
        )),
        Some(Shows::Benefits) => Some((
            " Il codice mostra gli stati con la fascia di invalidità o la classe di cecità, da cui l’operatore vede i benefici.",
            " The code shows the statuses with the invalidity band or blindness class, from which the operator sees the benefits.",
        )),
        None => None,
    }
}

/// What the operator at the counter does, in plain words.
pub(crate) fn operator_text(doc: &AttestationPdf) -> (&'static str, &'static str) {
    if doc.holder_secret.is_some() {
        (
            "Inquadri il codice con l’app di verifica o con attesta; \
             inserisca o scansioni il codice fiscale dalla tessera sanitaria del titolare \
             e digiti il suo codice segreto; controlli un documento d’identità.",
            "Scan the code with the verification app or with attesta; \
             type or scan the codice fiscale from the holder’s health card \
             and type the holder’s secret code; check an identity document.",
        )
    } else {
        (
            "Inquadri il codice con l’app di verifica o con attesta; \
             inserisca o scansioni il codice fiscale dalla tessera sanitaria del titolare; \
             controlli un documento d’identità.",
            "Scan the code with the verification app or with attesta; \
             type or scan the codice fiscale from the holder’s health card; \
             check an identity document.",
        )
    }
}

pub(crate) const CUT_LINE: &str =
    "✂ Ritagliare lungo la linea e conservare a parte / Cut along the line and keep apart";
pub(crate) const SECRET_TITLE: &str = "Codice segreto del titolare / Holder’s secret code";
pub(crate) const SECRET_IT: &str = "Chi verifica l’attestazione chiede questo codice insieme al codice \
     fiscale. Senza di esso una foto del codice QR non rivela nulla, nemmeno a chi conosce il \
     vostro codice fiscale: non tenetelo insieme al codice QR.";
pub(crate) const SECRET_EN: &str = "Whoever checks the attestation asks for this code together with \
     your codice fiscale. Without it a photo of the QR code reveals nothing, not even to \
     someone who knows your codice fiscale: do not keep it with the QR code.";
