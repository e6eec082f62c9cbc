"""The load test's users (run by bench/loadtest.py, which prepares the data and the accounts).

Provincial users open dashboards and save their self-assessments; ministry users
save verified results, verify and reopen; administrators export. Each simulated
user works on wards of its own, so that no save conflicts with another user's,
and every successful change is counted: loadtest.py compares the count with
the database afterwards (nothing lost).

Think time is what a person spends reading a page before the next click: 1-3 s
(KIEUMAU_LOAD_THINK) between one action and the next. An action is one page
opened, or one form posted together with the page its redirect leads to (a
browser follows a redirect at once). Each user goes round its cycle of actions.

The statistics start once every user has logged in: a log-in is PBKDF2 with
1,000,000 rounds by design, and what the targets are about is the pages and saves
of people at work. The run then lasts KIEUMAU_LOAD_DURATION seconds.
"""

import json
import os
import re
from collections import Counter

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

THINK = tuple(float(s) for s in os.environ.get("KIEUMAU_LOAD_THINK", "1,3").split(","))
DURATION = float(os.environ.get("KIEUMAU_LOAD_DURATION", "120"))

ACCOUNTS = json.loads(os.environ["KIEUMAU_LOAD_ACCOUNTS"])  # {"province": [...], "ministry": [...], "admin": [...]}
USERS = sum(len(accounts) for accounts in ACCOUNTS.values())
PASSWORD = os.environ["KIEUMAU_LOAD_PASSWORD"]
CHANGES = Counter()  # successful state changes, by kind
LOGGED_IN = []
VERSION = re.compile(r'name="version" value="(\d+)"')


def take(role):
    return ACCOUNTS[role].pop()


class Kieumau(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)

    def on_start(self):
        self.log_in(take(self.role))
        self.turn = 0
        self.version = None
        LOGGED_IN.append(self.account["username"])
        if len(LOGGED_IN) == USERS:
            # Everyone is in: measure from a clean slate for DURATION seconds.
            self.environment.runner.stats.reset_all()
            gevent.spawn_later(DURATION, self.environment.runner.quit)

    def csrf(self):
        return next(c.value for c in self.client.cookiejar if c.name == "csrftoken")

    def log_in(self, account):
        self.account = account
        self.client.get("/accounts/login/", name="log in")
        response = self.client.post("/accounts/login/", data={
            "username": account["username"], "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(),
        }, name="log in", allow_redirects=False)
        if response.status_code != 302:
            raise StopUser()

    def open(self, url, name):
        """GET a page; remember the version its form carries, if any."""
        response = self.client.get(url, name=name)
        match = VERSION.search(response.text or "")
        self.version = match.group(1) if match else None
        return response

    def post(self, url, data, name, then, then_name):
        """POST a form, then open the page the redirect leads to, as a browser does. True if it saved."""
        data = {**data, "csrfmiddlewaretoken": self.csrf()}
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True,
                              headers={"Referer": self.host + url}) as response:
            saved = response.status_code == 302
            if saved:
                response.success()
            else:
                response.failure(f"{response.status_code}")
        self.open(then, then_name)
        return saved

    def ward(self):
        """The ward of this round of the cycle: each round takes the user's next ward."""
        return self.account["wards"][self.round % len(self.account["wards"])]

    @task
    def next_action(self):
        self.round, step = divmod(self.turn, len(self.cycle))
        self.turn += 1
        self.cycle[step](self)


def entries(value="met", note=""):
    data = {}
    for number in range(1, 23):
        data[f"c{number}_value"] = value
        data[f"c{number}_note"] = note
    return data


class ProvincialPolice(Kieumau):
    role = "province"
    fixed_count = int(os.environ.get("KIEUMAU_LOAD_PROVINCE_USERS", "30"))

    def national(self):
        self.open("/reports/2023/", "dashboard (national, scoped)")

    def province(self):
        self.open(f"/reports/2023/provinces/{self.account['province']}/", "dashboard (province)")

    def form(self):
        self.open(f"/wards/{self.ward()}/2023/assess/self/", "form (self-assessment)")

    def save(self):
        ward = self.ward()
        if self.version and self.post(
                f"/wards/{ward}/2023/assess/self/",
                {"version": self.version, **entries(note=f"{self.account['username']} #{self.turn}")},
                "save (self-assessment)", f"/wards/{ward}/2023/", "ward page"):
            CHANGES["save"] += 1

    cycle = (national, province, form, save)


class MinistryStaff(Kieumau):
    role = "ministry"
    fixed_count = int(os.environ.get("KIEUMAU_LOAD_MINISTRY_USERS", "15"))

    def national(self):
        self.open("/reports/2023/", "dashboard (national)")

    def form(self):
        self.open(f"/wards/{self.ward()}/2023/assess/verified/", "form (verified result)")

    def save(self):
        """Enter the verified result; then verify, then reopen (so that the next round can start again)."""
        ward = self.ward()
        if self.version and self.post(f"/wards/{ward}/2023/assess/verified/",
                                      {"version": self.version, **entries(note=f"TĐ {self.turn}")},
                                      "save (verified result)", f"/wards/{ward}/2023/", "ward page"):
            CHANGES["save"] += 1

    def verify(self):
        ward = self.ward()
        if self.version and self.post(f"/wards/{ward}/2023/verify/", {"version": self.version}, "verify",
                                      f"/wards/{ward}/2023/", "ward page"):
            CHANGES["verify"] += 1

    def reopen(self):
        ward = self.ward()
        if self.version and self.post(f"/wards/{ward}/2023/reopen/",
                                      {"version": self.version, "reason": "Kiểm tra tải"}, "reopen",
                                      f"/wards/{ward}/2023/", "ward page"):
            CHANGES["reopen"] += 1

    cycle = (national, form, save, verify, reopen)


class Administrator(Kieumau):
    role = "admin"
    fixed_count = int(os.environ.get("KIEUMAU_LOAD_ADMIN_USERS", "5"))
    wait_time = between(5, 10)

    def summary(self):
        self.client.get("/reports/2023/export/summary.xlsx", name="export (summary xlsx)")

    def wards_csv(self):
        self.client.get("/reports/2023/export/wards.csv", name="export (ward results csv)")

    def pdf(self):
        self.client.get("/reports/2023/export/summary.pdf", name="export (summary pdf)")

    cycle = (summary, wards_csv, pdf)


@events.test_stop.add_listener
def write_changes(environment, **kwargs):
    with open(os.environ["KIEUMAU_LOAD_CHANGES"], "w", encoding="utf-8") as handle:
        json.dump(dict(CHANGES), handle)
