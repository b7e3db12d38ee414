import json
from pathlib import Path

from typer.testing import CliRunner

from commonweal.cli.main import app

SPEND = ("Body Name,Service Area,Payment Date,Supplier Name,Net Amount,Supplier Postcode\n"
         "Anytown Council,Home Care,2022-05-03,Helping Hands CIC,\"£1,000.00\",M5 4WT\n"
         "Anytown Council,Home Care,2022-05-04,Care Co Ltd,3000,M6 1AA\n"
         "Anytown Council,Home Care,2022-06-04,Home Care Trust,2000.00,BL4 0NN\n"
         "Anytown Council,Home Care,2022-06-05,Big Care PLC,14000,\n"
         "Anytown Council,Roads,2022-06-06,REDACTED PERSONAL DATA,500,\n")


def test_import_report_and_partners(tmp_path: Path) -> None:
    source = tmp_path / "anytown_2022.csv"
    source.write_text(SPEND, encoding="utf-8")
    db = tmp_path / "db"
    runner = CliRunner()
    result = runner.invoke(app, ["spend", "import", str(source), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["files"][0]
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (5, 5, 0)
    assert report["total_amount"] == "20500.00"  # 1000 + 3000 + 2000 + 14000 + 500

    result = runner.invoke(app, ["spend", "report", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    shares = {r["label"]: r["total"] for r in data["spend_by_label"]}
    assert shares == {"vcse": "3000.00", "sme": "3000.00", "large": "14000.00",
                      "individual_or_redacted": "500.00"}
    # every label here rests on a name rule but the redacted one, which rests on the redaction marker
    alone = {r["label"]: (r["on_name_alone"], r["on_name_alone_share"]) for r in data["spend_by_label"]}
    assert alone == {"vcse": ("3000.00", 1.0), "sme": ("3000.00", 1.0), "large": ("14000.00", 1.0),
                     "individual_or_redacted": ("0.00", 0.0)}
    assert {(r["supplier"], r["label"], r["label_source"]) for r in data["top_suppliers"]} == {
        ("BIG CARE", "large", "name rule"), ("CARE CO", "sme", "name rule"), ("HOME CARE TRUST", "vcse", "name rule"),
        ("HELPING HANDS", "vcse", "name rule")}
    assert data["spend_by_service_area"][0] == {"council": "Anytown Council", "service_area": "Home Care",
                                                "total": "20000.00", "payments": 4}
    care = next(c for c in data["concentration"] if c["service_area"] == "Home Care")
    # shares 1/20, 3/20, 2/20, 14/20 -> 5^2 + 15^2 + 10^2 + 70^2 = 25 + 225 + 100 + 4900 = 5250
    assert care["hhi"] == 5250.0

    result = runner.invoke(app, ["spend", "report", "--db", str(db), "--format", "json",
                                 "--local-postcodes", "M5,M6"])
    local = json.loads(result.stdout)["local"]
    # M5 (1000) and M6 (3000) are local, BL4 (2000) is not; Big Care (14000) and the redacted 500 have no postcode
    assert local["local_areas"] == ["M5", "M6"] and local["total"] == "20500.00"
    assert {p["locality"]: (p["total"], p["suppliers"]) for p in local["parts"]} == {
        "local": ("4000.00", 2), "not_local": ("2000.00", 1), "unknown": ("14500.00", 2)}
    result = runner.invoke(app, ["spend", "report", "--db", str(db), "--local-postcodes", "M5,M6"])
    said = " ".join(result.stdout.split())  # the console wraps long lines
    assert "local £4,000.00 (19.5%); not local £2,000.00 (9.8%); unknown (no usable postcode) £14,500.00" in said
    result = runner.invoke(app, ["spend", "report", "--db", str(db), "--local-postcodes", "M5 4WT"])
    assert result.exit_code == 2 and "'4WT' is not a postcode area" in result.output

    result = runner.invoke(app, ["spend", "report", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Spend by supplier type" in result.stdout and "dependency alerts" in result.stdout
    assert "of which on a name alone" in result.stdout

    result = runner.invoke(app, ["spend", "report", "--db", str(db), "--format", "html", "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "<title>Where the money goes" in result.stdout and "<svg" in result.stdout
    assert (tmp_path / "out" / "top_suppliers.svg").exists() and (tmp_path / "out" / "concentration.xlsx").exists()

    result = runner.invoke(app, ["market", "partners", "--db", str(db), "--service", "home care", "--value", "9000",
                                 "--local-postcodes", "M5,M6", "--min-bidders", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    advice = json.loads(result.stdout)
    # partners: Care Co (largest year 3000 -> reach 6000), Home Care Trust (2000 -> 4000), Helping Hands (1000)
    assert [p["name"] for p in advice["partners"]] == ["CARE CO", "HOME CARE TRUST", "HELPING HANDS"]
    assert advice["lots_too_large"] is True  # 9000 > 6000
    # the 2nd largest reach is 4000: ceil(9000 / 4000) = 3 lots of 3000
    assert (advice["proposed_lots"], advice["proposed_lot_value"]) == (3, "3000.00")
    assert [p["local"] for p in advice["partners"]] == [True, False, True]
    assert {(p["label"], p["label_source"]) for p in advice["partners"]} == {("sme", "name rule"),
                                                                          ("vcse", "name rule")}
    assert all(0 < p["label_confidence"] < 1 for p in advice["partners"])


def test_a_failing_file_saves_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(SPEND, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("Supplier Name,Date,Amount\nA,01/02/2022,1\n", encoding="utf-8")
    db = tmp_path / "db"
    result = CliRunner().invoke(app, ["spend", "import", str(good), str(bad), "--db", str(db)])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "Date" in result.output and "--date-order" in result.output
    assert not db.exists() or not any(db.rglob("*.parquet"))


def test_report_on_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["spend", "report", "--db", str(tmp_path / "none")])
    assert result.exit_code == 2 and "spend import" in result.output


def test_contracts_register_fills_postcodes_and_sme_flags(tmp_path: Path) -> None:
    payments = tmp_path / "anytown_2022.csv"
    payments.write_text("Body Name,Service Area,Payment Date,Supplier Name,Net Amount\n"
                        "Anytown,Care,2022-05-03,Acme Care Ltd,1000.00\n"
                        "Anytown,Care,2022-05-04,Zed Homes,3000.00\n", encoding="utf-8")
    register = tmp_path / "anytown_contracts.csv"
    register.write_text("Supplier Company Name,Supplier Postcode,Annual Value,Start Date,SME Supplier?\n"
                        "Acme Care Limited,M5 4WT,12000.00,2022-04-01,No\n", encoding="utf-8")
    db = tmp_path / "db"
    runner = CliRunner()
    assert runner.invoke(app, ["spend", "import", str(payments), str(register), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["spend", "report", "--db", str(db), "--format", "json", "--local-postcodes", "M5"])
    data = json.loads(result.stdout)
    # Acme's postcode and "not an SME" come from the register; the register's own value is not spend
    assert {p["locality"]: p["total"] for p in data["local"]["parts"]} == {
        "local": "1000.00", "not_local": "0.00", "unknown": "3000.00"}
    assert {r["label"]: r["total"] for r in data["spend_by_label"]} == {"large": "1000.00", "unknown": "3000.00"}


def test_review_decisions_join_look_alike_suppliers_with_who_and_why(tmp_path: Path) -> None:
    source = tmp_path / "anytown_2022.csv"
    source.write_text("Body Name,Service Area,Payment Date,Supplier Name,Net Amount\n"
                      "Anytown Council,Transport,2022-05-03,Smith Taxis Ltd,3000\n"
                      "Anytown Council,Transport,2022-05-04,Smyth Taxis Limited,1000\n"
                      "Anytown Council,Transport,2022-05-05,Northern Coaches Ltd,6000\n", encoding="utf-8")
    db = tmp_path / "db"
    runner = CliRunner()
    empty = runner.invoke(app, ["spend", "review", "Smith Taxis", "Smyth Taxis", "--db", str(db), "--same",
                                "--by", "j.bloggs", "--reason", "same owner"])
    assert empty.exit_code == 2 and "holds no imported spend" in empty.output and not db.exists()
    assert runner.invoke(app, ["spend", "import", str(source), "--db", str(db)]).exit_code == 0

    def report() -> dict:
        result = runner.invoke(app, ["spend", "report", "--db", str(db), "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    before = report()
    assert [(c["left"], c["right"]) for c in before["review_candidates"]] == [("SMITH TAXIS", "SMYTH TAXIS")]
    transport = before["concentration"][0]
    # shares 30%, 10%, 60% -> 900 + 100 + 3600
    assert (transport["suppliers"], transport["hhi"]) == (3, 4600.0)
    text = runner.invoke(app, ["spend", "report", "--db", str(db)]).stdout
    assert "'SMITH TAXIS' ~ 'SMYTH TAXIS': similar names" in text and "commonweal spend review" in text

    # bad decisions save nothing: an unknown name, and no reason given
    reviews = db / "reviews.json"
    bad = runner.invoke(app, ["spend", "review", "Smith Taxis", "Smithy Cabs", "--db", str(db), "--same",
                              "--by", "j.bloggs", "--reason", "same owner"])
    assert bad.exit_code == 2 and "no supplier called 'Smithy Cabs'" in bad.output and not reviews.exists()
    bad = runner.invoke(app, ["spend", "review", "Smith Taxis", "Smyth Taxis", "--db", str(db), "--same",
                              "--by", "j.bloggs", "--reason", " "])
    assert bad.exit_code == 2 and "--reason is required" in bad.output and not reviews.exists()

    done = runner.invoke(app, ["spend", "review", "Smith Taxis Ltd", "SMYTH TAXIS", "--db", str(db), "--same",
                               "--by", "j.bloggs", "--reason", "one firm: same company number on invoices",
                               "--format", "json"])
    assert done.exit_code == 0, done.output
    decision = json.loads(done.stdout)
    assert (decision["left"], decision["right"], decision["same"], decision["decided_by"]) == (
        "SMITH TAXIS", "SMYTH TAXIS", True, "j.bloggs")
    assert json.loads(reviews.read_text()) == [decision]  # stored with who, when and why

    after = report()
    assert after["review_candidates"] == [] and after["review_decisions"] == [decision]
    transport = after["concentration"][0]
    # one taxi firm now: 40% and 60% -> 1600 + 3600
    assert (transport["suppliers"], transport["hhi"]) == (2, 5200.0)

    # a later decision on the same pair replaces it: two firms again, and the pair stays off the list
    undone = runner.invoke(app, ["spend", "review", "Smyth Taxis", "Smith Taxis", "--db", str(db), "--different",
                                 "--by", "a.auditor", "--reason", "different owners at Companies House"])
    assert undone.exit_code == 0 and "are two organisations" in undone.stdout
    final = report()
    assert final["concentration"][0]["hhi"] == 4600.0 and final["review_candidates"] == []
    assert [d["decided_by"] for d in final["review_decisions"]] == ["a.auditor"]
    assert len(json.loads(reviews.read_text())) == 2  # nothing is edited, decisions are only added


def test_period_dates_rows_without_a_date_and_column_map_settles_two_amounts(tmp_path: Path) -> None:
    source = tmp_path / "anytown_2024-04.csv"
    source.write_text("Paid Date,Supplier Name,Amount Approved,Amount Paid\n"
                      "00:00:00,Acme Ltd,12.00,10.00\n00:00:00,Beta plc,6.00,5.00\n", encoding="utf-8")
    runner = CliRunner()
    asked = runner.invoke(app, ["spend", "import", str(source), "--db", str(tmp_path / "db")])
    assert asked.exit_code != 0 and "could each hold the amount" in asked.output
    column_map = tmp_path / "map.yaml"
    column_map.write_text("columns:\n  amount: Amount Paid\n", encoding="utf-8")
    no_date = runner.invoke(app, ["spend", "import", str(source), "--db", str(tmp_path / "db"),
                                  "--column-map", str(column_map)])
    assert no_date.exit_code != 0 and "holds no date" in no_date.output
    bad = runner.invoke(app, ["spend", "import", str(source), "--db", str(tmp_path / "db"), "--period", "April"])
    assert bad.exit_code == 2 and "yyyy-mm" in bad.output
    result = runner.invoke(app, ["spend", "import", str(source), "--db", str(tmp_path / "db"), "--column-map",
                                 str(column_map), "--period", "2024-04", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["files"][0]
    assert (report["rows_loaded"], report["total_amount"], report["stated_period"]) == (2, "15.00", "2024-04-01")
    assert report["flag_counts"]["period_stated"] == 2
