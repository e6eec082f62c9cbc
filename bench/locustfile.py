"""The load test's users (run by bench/loadtest.py, which prepares the data and the accounts).

Provincial users open dashboards and save their self-assessments; ministry users
save verified results, verify and reopen; administrators export. Each simulated
user works on wards of its own, so that no save conflicts with another user's,
and every successful change is counted: loadtest.py compares the count with
the database afterwards (nothing lost).
"""

import json
import os
import re
from collections import Counter

from locust import HttpUser, between, events, task

THINK = tuple(float(s) for s in os.environ.get("KIEUMAU_LOAD_THINK", "2,6").split(","))

ACCOUNTS = json.loads(os.environ["KIEUMAU_LOAD_ACCOUNTS"])  # {"province": [...], "ministry": [...], "admin": [...]}
PASSWORD = os.environ["KIEUMAU_LOAD_PASSWORD"]
CHANGES = Counter()  # successful state changes, by kind


def take(role):
    return ACCOUNTS[role].pop()


class Kieumau(HttpUser):
    abstract = True
    # People read a page before the next click: 2-6 s between tasks (a task is 1-4 requests),
    # or what KIEUMAU_LOAD_THINK says ("1,3": 1-3 s).
    wait_time = between(*THINK)

    def log_in(self, account):
        self.account = account
        self.client.get("/accounts/login/", name="log in")
        self.client.post("/accounts/login/", {
            "username": account["username"], "password": PASSWORD,
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken"),
        }, name="log in", allow_redirects=False)

    def post(self, url, data, name):
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken")}
        with self.client.post(url, data, name=name, allow_redirects=False, catch_response=True,
                              headers={"Referer": self.host + url}) as response:
            if response.status_code == 302:
                response.success()
                return True
            response.failure(f"{response.status_code}")
            return False

    def version(self, url, name):
        html = self.client.get(url, name=name).text
        match = re.search(r'name="version" value="(\d+)"', html)
        return match.group(1) if match else None


def entries(value="met", note=""):
    data = {}
    for number in range(1, 23):
        data[f"c{number}_value"] = value
        data[f"c{number}_note"] = note
    return data


class ProvincialPolice(Kieumau):
    fixed_count = int(os.environ.get("KIEUMAU_LOAD_PROVINCE_USERS", "30"))

    def on_start(self):
        self.log_in(take("province"))
        self.turn = 0

    @task(3)
    def dashboards(self):
        self.client.get("/reports/2023/", name="dashboard (national, scoped)")
        self.client.get(f"/reports/2023/provinces/{self.account['province']}/", name="dashboard (province)")

    @task(2)
    def save_self_assessment(self):
        self.turn += 1
        ward = self.account["wards"][self.turn % len(self.account["wards"])]
        url = f"/wards/{ward}/2023/assess/self/"
        version = self.version(url, "form (self-assessment)")
        if version and self.post(url, {"version": version, **entries(
                note=f"{self.account['username']} #{self.turn}")}, "save (self-assessment)"):
            CHANGES["save"] += 1
        self.client.get(f"/wards/{ward}/2023/", name="ward page")


class MinistryStaff(Kieumau):
    fixed_count = int(os.environ.get("KIEUMAU_LOAD_MINISTRY_USERS", "15"))

    def on_start(self):
        self.log_in(take("ministry"))
        self.turn = 0

    @task(2)
    def dashboards(self):
        self.client.get("/reports/2023/", name="dashboard (national)")

    @task(3)
    def verify_one(self):
        """Enter the verified result, verify, then reopen (so that the next round can start again)."""
        self.turn += 1
        ward = self.account["wards"][self.turn % len(self.account["wards"])]
        url = f"/wards/{ward}/2023/assess/verified/"
        version = self.version(url, "form (verified result)")
        if not version:
            return
        if not self.post(url, {"version": version, **entries(note=f"TĐ {self.turn}")}, "save (verified result)"):
            return
        CHANGES["save"] += 1
        html = self.client.get(f"/wards/{ward}/2023/", name="ward page").text
        version = re.search(r'name="version" value="(\d+)"', html).group(1)
        if self.post(f"/wards/{ward}/2023/verify/", {"version": version}, "verify"):
            CHANGES["verify"] += 1
            html = self.client.get(f"/wards/{ward}/2023/", name="ward page").text
            version = re.search(r'name="version" value="(\d+)"', html).group(1)
            if self.post(f"/wards/{ward}/2023/reopen/", {"version": version, "reason": "Kiểm tra tải"}, "reopen"):
                CHANGES["reopen"] += 1


class Administrator(Kieumau):
    fixed_count = int(os.environ.get("KIEUMAU_LOAD_ADMIN_USERS", "5"))
    wait_time = between(5, 10)

    def on_start(self):
        self.log_in(take("admin"))

    @task
    def export(self):
        self.client.get("/reports/2023/export/summary.xlsx", name="export (summary xlsx)")
        self.client.get("/reports/2023/export/wards.csv", name="export (ward results csv)")

    @task
    def export_pdf(self):
        self.client.get("/reports/2023/export/summary.pdf", name="export (summary pdf)")


@events.test_stop.add_listener
def write_changes(environment, **kwargs):
    with open(os.environ["KIEUMAU_LOAD_CHANGES"], "w", encoding="utf-8") as handle:
        json.dump(dict(CHANGES), handle)
