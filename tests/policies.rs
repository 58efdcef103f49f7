//! The policies beyond Mesos (issue 12, docs/policies.md): what the
//! scenario files under `tests/expect/policy-*` cannot show with one run.

mod common;

use mesosim::scenario::resolve::load_str;
use std::path::Path;

/// One one-CPU agent; role `heavy` (weight 3) and role `light` (weight 1)
/// each with a framework wanting it for good. Who is offered it first?
const TWO_ROLES: &str = "
name: lottery-two-roles
until: 1s
master: {policy: POLICY}
roles:
  - {name: heavy, weight: 3}
  - {name: light, weight: 1}
agents:
  - {id: agent, resources: {cpus: 1, mem: 1024}}
frameworks:
  - id: fh
    role: heavy
    behavior: hold
  - id: fl
    role: light
    behavior: hold
";

fn first_offer_to(policy: &str, seed: u64) -> String {
    let text = TWO_ROLES.replace("POLICY", policy);
    let model = load_str(&text, "two-roles.yaml", Path::new(".")).unwrap();
    let run = common::run_model(&model, Some(seed));
    let offer = run
        .records
        .iter()
        .find(|r| r.split(' ').nth(1) == Some("offer"))
        .expect("an offer")
        .clone();
    offer.split(' ').nth(2).unwrap().to_string()
}

/// P(heavy first) = 3 / (3 + 1). Over 400 seeds the count of runs where
/// `heavy` is offered first is binomial(400, 3/4): mean 300, standard
/// deviation 8.66; the test allows four standard deviations (±35).
#[test]
fn lottery_offers_in_proportion_to_weight() {
    let heavy = (0..400)
        .filter(|&seed| first_offer_to("lottery", seed) == "fh")
        .count();
    assert!(
        (265..=335).contains(&heavy),
        "heavy first in {heavy} of 400"
    );
}

/// The lottery draws from its own stream: with the same seed it need not
/// make the random sorter's choice, and the random sorter's outcome for
/// each seed is what it was before the lottery existed (the goldens pin
/// `random` scenarios; here: the choices differ for some seed).
#[test]
fn lottery_stream_is_not_the_random_sorters() {
    let differ =
        (0..64).any(|seed| first_offer_to("lottery", seed) != first_offer_to("random", seed));
    assert!(differ);
}

/// A policy needing a key the scenario lacks is refused with the key named.
#[test]
fn policies_name_the_keys_they_need() {
    for (policy, key) in [
        ("single-resource", "master.policy_resource"),
        ("slots", "master.slot_size"),
    ] {
        let text = TWO_ROLES.replace("POLICY", policy);
        let err = load_str(&text, "two-roles.yaml", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("policy `{policy}` needs `{key}`")),
            "{err}"
        );
    }
    let text = TWO_ROLES.replace("policy: POLICY", "framework_sorter: slots");
    let err = load_str(&text, "two-roles.yaml", Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("policy `slots` needs `master.slot_size`"),
        "{err}"
    );
}

/// Runs `scenario` with the CLI (no charts) into a fresh folder `name`
/// and returns the folder; the run must succeed.
fn run_quietly(scenario: &str, name: &str) -> std::path::PathBuf {
    let out = common::tmp(name);
    let status = common::bin()
        .args(["run", scenario, "-q", "--no-charts", "--force"])
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "{scenario} failed");
    out
}

/// The auction of tests/scenarios/policy-auction.yaml, checked by hand
/// there: who won each sale, the bids, the second price each paid and the
/// budget left.
#[test]
fn auction_payments_by_hand() {
    let out = run_quietly("tests/scenarios/policy-auction.yaml", "policy-auction");
    let csv = std::fs::read_to_string(out.join("auction.csv")).unwrap();
    let sales: Vec<&str> = csv.lines().filter(|l| l.contains(",sale,")).collect();
    assert_eq!(
        sales,
        vec![
            "0.000000,0,sale,A,agent,2,0,0,0,cpus:2",
            "3.000000,0,sale,B,agent,2,3,2,1,cpus:2",
            "6.000000,0,sale,B,agent,2,4,2,2,cpus:2",
            "9.000000,0,sale,B,agent,2,5,2,3,cpus:2",
        ]
    );
    // A's budget grows 2 a second up to max_budget 10.
    let a: Vec<&str> = csv
        .lines()
        .filter(|l| l.contains(",budget,A,"))
        .map(|l| l.rsplit(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        a,
        vec!["0", "2", "4", "6", "8", "10", "10", "10", "10", "10", "10"]
    );
}

#[test]
fn auction_deadline_bonus_by_hand() {
    // tests/scenarios/policy-auction-deadline.yaml works the numbers out.
    let out = run_quietly(
        "tests/scenarios/policy-auction-deadline.yaml",
        "policy-auction-deadline",
    );
    let csv = std::fs::read_to_string(out.join("auction.csv")).unwrap();
    let sales: Vec<&str> = csv.lines().filter(|l| l.contains(",sale,")).collect();
    // time, partition, sale, buyer, agent, bidders, bid, price, budget left
    assert_eq!(
        sales,
        vec![
            "0.000000,0,sale,A,agent,2,0,0,0,cpus:2",
            "3.000000,0,sale,A,agent,2,6,3,3,cpus:2",
            "6.000000,0,sale,A,agent,2,9,6,3,cpus:2",
            "9.000000,0,sale,B,agent,2,8,2,7,cpus:2",
        ]
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["jobs"]["deadlines"],
        serde_json::json!({"jobs": 2, "met": 1, "missed": 1, "open": 0})
    );
    // Without deadlines nothing is written.
    let plain = run_quietly(
        "tests/scenarios/policy-auction.yaml",
        "policy-auction-no-deadline",
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plain.join("summary.json")).unwrap())
            .unwrap();
    assert!(summary["jobs"].get("deadlines").is_none());
}

#[test]
fn valuation_adds_the_bonus_per_urgent_task() {
    // The arithmetic of the bid; the policy-auction-deadline scenario
    // above shows the bonus stopping at the deadline.
    use mesosim::cluster::resources::Quantities;
    use mesosim::policy::whole::Valuation;
    let v = Valuation {
        per_task: 1.0,
        deadline_bonus: 5.0,
        ..Valuation::default()
    };
    assert_eq!(v.value_with_deadlines(3, &Quantities::ZERO, 2), 13.0);
    assert_eq!(v.value_with_deadlines(3, &Quantities::ZERO, 0), 3.0);
    assert_eq!(v.value(3, &Quantities::ZERO), 3.0);
}
