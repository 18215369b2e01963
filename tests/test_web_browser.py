"""The page in a real browser: Debian's headless Chromium, driven by Selenium through Debian's chromedriver.

Nothing downloads a browser or a driver (both come from apt: .ci/run installs
them). Each test saves a screenshot of the state it reaches in docs/ (web-*.png),
the pictures docs/web.md shows.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.exhaustive

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs"
HALF = r"\delta^{(L)} = \frac{1}{2}(a^{(L)} - y)"
RIGHT = r"\delta^{(L)} = a^{(L)} - y"
DOCUMENT = ("# Output layer\n\nThe error at the output:\n\n$$\n" + RIGHT + "\n$$\n\n"
            "The gradient of the weights:\n\n$$\n\\frac{\\partial J}{\\partial W^{(l)}} = \\delta^{(l)} a^{(l-1)}\n$$\n\n"
            "The hidden error:\n\n$$\n\\delta^{(l)} = (W^{(l+1)})^T \\delta^{(l+1)} \\odot \\sigma'(z^{(l)})\n$$\n")
WAIT = 60


@pytest.fixture(scope="module")
def server():
    from web_server import running_server

    from symderiv.web.app import Limits
    with running_server(Limits(workers=2)) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    os.environ["SE_OFFLINE"] = "true"          # Selenium Manager never fetches a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="symderiv-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1100,1400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver, condition, what: str, seconds: float = WAIT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = condition(driver)
        except Exception:       # noqa: BLE001 - the page is still changing
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def open_page(driver, url: str) -> None:
    driver.get(url)
    wait_for(driver, lambda d: d.find_element("css selector", "body[data-ready=true]"), "the page to start")


def shot(driver, name: str) -> Path:
    """A screenshot of the whole page (the window grown to its height) in docs/."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1100, min(max(height + 40, 900), 4000))
    path = SHOTS / f"web-{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1100, 1400)
    assert path.stat().st_size > 10_000
    return path


def cards(driver):
    return driver.find_elements("css selector", "#verdicts article.card")


def tex_of(element) -> str:
    """The LaTeX KaTeX kept in the MathML it wrote (what assistive technology reads), without spaces."""
    note = element.find_element("css selector", "annotation[encoding='application/x-tex']")
    return "".join(note.get_attribute("textContent").split())


def test_a_wrong_formula_is_read_then_marked_and_corrected(browser, server):
    open_page(browser, server + "/")
    browser.find_element("id", "formula").send_keys(HALF)
    reading = wait_for(browser, lambda d: d.find_element("css selector", "#reading table"), "the reading")
    rows = reading.find_elements("css selector", "tr")[1:]
    assert [r.find_elements("css selector", "td")[1].text for r in rows] == ["error term, dJ/dz", "activation",
                                                                             "target"]
    assert "default" in browser.find_element("id", "reading").text
    shot(browser, "reading")
    browser.find_element("id", "check").click()
    card = wait_for(browser, lambda d: cards(d)[0], "the verdict")
    assert card.get_attribute("data-verdict") == "incorrect"
    assert card.find_element("css selector", ".label").text.endswith("Incorrect")     # a word, not a colour
    wrong = card.find_elements("css selector", ".sd-wrong")
    assert wrong and "1" in wrong[0].text and "2" in wrong[0].text          # the 1/2 is the marked part
    corrected = card.find_element("css selector", ".corrected")
    assert tex_of(corrected) == "".join(RIGHT.split())
    assert "scale" in card.find_element("css selector", ".reason").text
    table = card.find_element("css selector", "table[aria-label=counterexample]")
    assert "truth" in table.text and "claim" in table.text
    shot(browser, "incorrect")


def test_an_uploaded_document_gets_every_lines_verdict(browser, server, tmp_path):
    path = tmp_path / "homework.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    expected = json.loads(urllib.request.urlopen(urllib.request.Request(
        server + "/api/check", data=json.dumps({"document": DOCUMENT}).encode(),
        headers={"Content-Type": "application/json"}), timeout=60).read())["entries"]
    open_page(browser, server + "/")
    browser.find_element("id", "mode-document").click()
    browser.find_element("id", "upload").send_keys(str(path))
    wait_for(browser, lambda d: d.find_element("id", "document").get_attribute("value") == DOCUMENT, "the upload")
    browser.find_element("id", "check").click()
    wait_for(browser, lambda d: len(cards(d)) == len(expected), "every line's verdict")
    shown = [(c.find_element("css selector", ".id").text, c.get_attribute("data-verdict")) for c in cards(browser)]
    assert shown == [(e["id"], e["verdict"]) for e in expected]
    assert [v for _, v in shown] == ["correct", "incorrect", "correct"]      # the gradient misses a transpose
    wrong = cards(browser)[1]
    assert tex_of(wrong.find_element("css selector", ".corrected")).endswith("^{T}") or \
        "T" in wrong.find_element("css selector", ".corrected").text
    shot(browser, "document")


def test_keyboard_only(browser, server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    open_page(browser, server + "/")
    active = lambda: browser.execute_script("return document.activeElement.id")   # noqa: E731
    for _ in range(12):                      # Tab through the page to the formula box
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if active() == "formula":
            break
    assert active() == "formula"
    ActionChains(browser).send_keys(r"\delta^{(L)} = -(a^{(L)} - y)").perform()
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    card = wait_for(browser, lambda d: cards(d)[0], "the verdict")
    assert card.get_attribute("data-verdict") == "incorrect"
    assert card.find_elements("css selector", ".sd-wrong")
    for _ in range(15):                      # on to the share button, and press it with Enter
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if active() == "share":
            break
    assert active() == "share"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    link = wait_for(browser, lambda d: d.find_element("id", "share-url").get_attribute("value"), "the link")
    assert active() == "share-url"
    shot(browser, "keyboard")
    state = urllib.parse.parse_qs(urllib.parse.urlparse(link).fragment)
    assert state["formula"] == [r"\delta^{(L)} = -(a^{(L)} - y)"]
    open_page(browser, link)                 # the link reproduces the check, without typing
    card = wait_for(browser, lambda d: cards(d)[0], "the shared check")
    assert card.get_attribute("data-verdict") == "incorrect"
    assert browser.find_element("id", "formula").get_attribute("value") == state["formula"][0]


def test_every_verdict_and_control_is_labelled(browser, server):
    open_page(browser, server + "/")
    unlabeled = browser.execute_script("""
        return [...document.querySelectorAll('input, select, textarea, button')].filter(e => {
          if (e.type === 'radio') return !e.closest('label');
          if (e.tagName === 'BUTTON') return !e.textContent.trim() && !e.getAttribute('aria-label');
          return !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.getAttribute('aria-label');
        }).map(e => e.id || e.outerHTML.slice(0, 60));""")
    assert unlabeled == []
    browser.find_element("id", "formula").send_keys(RIGHT)
    browser.find_element("id", "check").click()
    card = wait_for(browser, lambda d: cards(d)[0], "the verdict")
    assert card.get_attribute("aria-label") == "Correct"
    assert card.find_elements("css selector", "math")         # MathML kept for screen readers
    status = browser.find_element("id", "status")
    assert status.get_attribute("role") == "status" and "Correct" in status.text
