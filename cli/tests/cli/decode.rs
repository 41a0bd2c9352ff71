//! `attesta decode`: what a code or an image holds, without verifying it.

use crate::common::*;

/// A real EU Digital COVID Certificate test code: Italy's vaccination
/// example `IT/2DCode/raw/1.json` ("PREFIX") of the public test data in
/// eu-digital-green-certificates/dgc-testdata.
const EU_DCC_IT: &str = "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE:-PSR3/$NU44CBE6DQ3D7B0FBOFX0DV2DGMB$YPF62I$60/F$Z2I6IFX21XNI-LM%3/DF/U6Z9FEOJVRLVW6K$UG+BKK57:1+D10%4K83F+1VWD1NE";

#[test]
fn decode_reads_png_text_and_stdin() {
    let env = Env::new();
    env.setup();
    env.issue("a.png", &[]);
    env.issue("a.txt", &["--status-list", "s.cwt"]);
    for input in ["a.png", "a.txt"] {
        env.run(&["decode", input])
            .ok()
            .stdout_has("NOT VERIFIED")
            .stdout_has("prefix:      AT1:")
            .stdout_has("claims:")
            .stdout_has("cti (7)")
            .stdout_has("exp (4)");
        let v = env.run(&["decode", input, "--json"]).ok().json();
        assert_eq!(v["decoded"], true);
        assert_eq!(v["verified"], false);
        assert_eq!(v["prefix"], "AT1:");
        assert!(v["claims"]["iat (6)"].is_i64(), "{v}");
    }
    let text = env.read_text("a.txt");
    env.run_stdin(&["decode", "-"], text.clone())
        .ok()
        .stdout_has("prefix:      AT1:")
        .stdout_has("status (65535)");
    // The claims never include the holder's data in clear.
    let r = env.run_stdin(&["decode", "-", "--json"], text).ok();
    assert!(!r.stdout.contains(CF));
    assert!(!r.stdout.contains("invalidity"));
}

#[test]
fn decode_refuses_text_that_is_not_a_code() {
    let env = Env::new();
    env.write("random.txt", "hello world, not a code\n");
    let msg = env.run(&["decode", "random.txt"]).code(1).one_line_error();
    assert!(msg.contains("random.txt"), "{msg}");
    assert!(msg.contains("AT1:") && msg.contains("HC1:"), "{msg}");
    // Regression: it used to advise `attesta decode`, the command being run.
    assert!(!msg.contains("attesta decode"), "{msg}");
    let r = env
        .run_stdin(&["decode", "-", "--json"], "hello world")
        .code(1);
    let v = r.json();
    assert_eq!(v["decoded"], false);
    assert_eq!(v["reason"], "bad_prefix");
    assert!(v["message"].is_string());
    // A damaged attestation.
    env.run_stdin(&["decode", "-"], "AT1:NOT*BASE45~").code(1);
    env.write("empty.txt", "");
    env.run(&["decode", "empty.txt"]).code(1).one_line_error();
    env.write("two.txt", "AT1:ABC\nAT1:DEF\n");
    env.run(&["decode", "two.txt"]).code(1).one_line_error();
}

#[test]
fn decode_shows_an_eu_dcc_hcert() {
    let env = Env::new();
    env.write("dcc.txt", format!("{EU_DCC_IT}\n"));
    env.run(&["decode", "dcc.txt"])
        .ok()
        .stdout_has("prefix:      HC1:")
        .stdout_has("EU Digital COVID Certificate")
        .stdout_has("zlib-compressed")
        .stdout_has("hcert (-260)")
        .stdout_has("ES256");
    let v = env
        .run_stdin(&["decode", "-", "--json"], EU_DCC_IT)
        .ok()
        .json();
    assert_eq!(v["decoded"], true);
    assert_eq!(v["prefix"], "HC1:");
    assert_eq!(v["compressed"], true);
    let hcert = &v["claims"]["hcert (-260)"]["1"];
    assert_eq!(hcert["ver"], "1.0.0", "{v}");
    assert_eq!(hcert["v"][0]["co"], "IT");
    assert_eq!(v["claims"]["iss (1)"], "IT");
}

#[test]
fn decode_an_image_without_a_qr_code_exits_1() {
    let env = Env::new();
    image::GrayImage::from_pixel(200, 200, image::Luma([255u8]))
        .save(env.path("blank.png"))
        .unwrap();
    env.run(&["decode", "blank.png"]).code(1).one_line_error();
    let v = env.run(&["decode", "blank.png", "--json"]).code(1).json();
    assert_eq!(v["decoded"], false);
    assert_eq!(v["reason"], "no_readable_code");
    // A damaged PNG is not a code either.
    env.write("broken.png", b"\x89PNG\r\n\x1a\nbroken");
    env.run(&["decode", "broken.png"]).code(1).one_line_error();
}

#[test]
fn decode_a_missing_file_exits_2() {
    let env = Env::new();
    env.run(&["decode", "missing.png"])
        .usage_error(&["missing.png does not exist", "check the path"]);
    env.run(&["decode", "missing.png", "--json"]).code(2);
}

// ---------------------------------------------------------------- verify
