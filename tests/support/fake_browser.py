"""A browser for $BROWSER in cognito-entra's tests: what a signed-in user's browser does with
the authorization URL the tool opens. It records the names in the environment it was started
with (OUT/env), waits DELAY seconds (a person signing in), asks the authorization endpoint
(the Graph stand-in answers 302 to the loopback redirect, as Entra does once the user has
signed in), then goes to that redirect as given (MODE follow) or with its state replaced
(MODE forge, a page of another sign-in), and keeps the page the tool answered (OUT/page).

Usage: python fake_browser.py OUT CA MODE DELAY URL
"""

import os
import re
import ssl
import sys
import time
import traceback
import urllib.error
import urllib.request

out, ca, mode, delay, url = sys.argv[1:6]
with open(os.path.join(out, "env"), "w") as f:
    f.write("\n".join(sorted(os.environ)))


class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


try:
    time.sleep(float(delay))
    # A browser trusts the sign-in page's CA by itself; here, the stand-in's.
    https = urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca))
    try:
        urllib.request.build_opener(Stay, https).open(url, timeout=10)
        raise SystemExit("the authorization endpoint did not redirect")
    except urllib.error.HTTPError as e:
        back = e.headers["Location"]
    if mode == "forge":
        back = re.sub(r"state=[^&]*", "state=forged-by-another-page", back)
    try:
        page = urllib.request.urlopen(back, timeout=10).read().decode()
    except urllib.error.HTTPError as e:
        page = e.read().decode()
except BaseException:
    page = "browser failed: " + traceback.format_exc()
with open(os.path.join(out, "page.tmp"), "w") as f:
    f.write(page)
os.rename(os.path.join(out, "page.tmp"), os.path.join(out, "page"))
