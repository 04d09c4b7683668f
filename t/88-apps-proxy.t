# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# conf/examples/proxy.conf, run as it is (only the port, the site's name,
# the certificate, the secret and the app's address replaced) in an httpd
# of its own over TLS, with the modules its "a2enmod" line names, in front
# of a real upstream started here (node http, answering with the request
# line and headers it got, logging each request; stopped by its PID):
#   1. the example has every line the test replaces; start-up says no
#      warning of ours
#   2. without a session: to the IdP; the app never sees the request
#   3. after the login (a jsonwebtoken token) the app gets the token's
#      claims as X-JWTSSO-Claim-* and the user in X-Remote-User; neither
#      the session cookie nor the state cookie reaches it, its own cookie
#      does
#   4. headers a client sends to pose as the module (X-JWTSSO-Claim-*, in
#      any case and with '_', X-Remote-User, a Connection header naming
#      them) never reach the app: it gets the token's values, once
#   5. /logout is not proxied and ends the session

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JWTSSOApps;
use JSON::PP ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
my ($node_rc) = JWTSSOTest::_run_capture('node', '-e', '0');
plan skip_all => 'node not found' if $node_rc;

plan tests => 22;

my ($h, $app_pid);
at_end(sub {
    httpd_stop($h) if $h;
    stop_pid($app_pid) if $app_pid;
});

# ---------------------------------------------------------------- 1. the example
my $app_port = app_port(2);
my $site = example_site('proxy.conf', subst => sub { [qr{127\.0\.0\.1:8081}, "127.0.0.1:$app_port"] });
is_deeply $site->{missing}, [], '1: every line the test replaces is in the example';
like $site->{text}, qr{^\s*JWTSSOPassClaims headers$}m, '1: the example passes the claims as headers';
my $tmp = $site->{tmp};

# the app: echoes what it got as JSON; one log line per request
my $app_js = write_in($tmp, 'upstream.js', <<'JS');
// SPDX-License-Identifier: Apache-2.0
// Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
const http = require('http');
const port = Number(process.argv[2]);
http.createServer((req, res) => {
  console.log(`${req.method} ${req.url}`);
  const raw = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) raw.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': 'app_pref=1; Path=/' });
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: raw }));
}).listen(port, '127.0.0.1');
JS
my $app_log = "$tmp/upstream.log";
$app_pid = JWTSSOTest::_spawn($app_log, 'node', $app_js, $app_port);
ok wait_port($app_port, 15), "the app listens on 127.0.0.1:$app_port" or diag slurp($app_log);

my @mods = example_modules($site->{text});
ok((grep { $_ eq 'proxy_http' } @mods) && (grep { $_ eq 'proxy' } @mods), '1: a2enmod names proxy_http (and so proxy)')
    or diag "@mods";
$h = eval { httpd_start($site->{text}, port => $site->{port}, modules => \@mods) };
ok $h, '1: httpd starts with the example' or diag $@;
my $base = $site->{base};

# the headers the app got: [[name, value], ...] as sent
sub got {
    my $res = shift;
    my $j = eval { JSON::PP::decode_json($res->decoded_content) } || {};
    return $j->{headers} || [];
}
sub named {
    my ($headers, $re) = @_;
    return sort map { "$_->[0]: $_->[1]" } grep { $_->[0] =~ $re } @$headers;
}

SKIP: {
    skip 'no server', 17 unless $h;
    is_deeply [jwtsso_warnings(slurp($h->{error_log}))], [], '1: no warning or error of mod_auth_jwtsso at start-up';

    # ------------------------------------------------------------ 2. no session
    my $res = tls_ua()->get("$base/wiki/Main");
    is $res->code, 302, '2: no session: 302';
    like $res->header('Location') // '', qr{^https://idp\.example\.com/login\?}, '2: to the IdP';
    is slurp($app_log), '', '2: the app saw no request';

    # ------------------------------------------------------------ 3. login
    my $ua = tls_ua();
    $ua->cookie_jar->set_cookie(0, 'theme', 'dark', '/', '127.0.0.1', $site->{port}, 0, 0, 3600);
    my ($r) = idp_login($ua, $base, '/wiki/Main', { sub => 'alice', email => 'alice@example.com',
                                                   roles => ['editor'] });
    my $page = $r->[2];
    is $page && $page->code, 200, '3: the proxied page answers 200' or diag map { $_->as_string } @$r;
    my $g = got($page // HTTP::Response->new(500));
    is_deeply [named($g, qr/^x-jwtsso-claim-(?:sub|email|roles)$/i)],
        ['X-JWTSSO-Claim-email: alice@example.com', 'X-JWTSSO-Claim-roles: editor', 'X-JWTSSO-Claim-sub: alice'],
        "3: the app gets the token's claims as X-JWTSSO-Claim-* headers" or diag explain $g;
    is_deeply [named($g, qr/^x-remote-user$/i)], ['X-Remote-User: alice'], '3: and the user in X-Remote-User';
    my ($cookie) = named($g, qr/^cookie$/i);
    $cookie //= '';
    unlike $cookie, qr/jwtsso_(?:session|state)=/,
        '3: neither the session nor the state cookie (__Host-jwtsso_state on https) reaches the app';
    like $cookie, qr/\btheme=dark\b/, "3: the app's own cookie does";
    like slurp($app_log), qr{^GET /wiki/Main$}m, '3: the app logged the request';

    # ------------------------------------------------------------ 4. spoofing
    $res = req($ua, GET => "$base/wiki/Main",
        'X-JWTSSO-Claim-sub' => 'mallory', 'x-jwtsso-claim-email' => 'm@evil.example',
        'X-JWTSSO-Claim-role' => 'admin', ':X_JWTSSO_Claim_Role' => 'admin',
        'X-Remote-User' => 'mallory', ':X_Remote_User' => 'mallory',
        'Connection' => 'X-JWTSSO-Claim-sub, X-Remote-User');
    $g = got($res);
    is $res->code, 200, '4: a logged-in request with spoofed headers: 200';
    is_deeply [named($g, qr/jwtsso.claim.(?:sub|email|roles?)$|remote.user/i)],
        ['X-JWTSSO-Claim-email: alice@example.com', 'X-JWTSSO-Claim-roles: editor',
         'X-JWTSSO-Claim-sub: alice', 'X-Remote-User: alice'],
        "4: the app gets the token's values once, no client-sent one" or diag explain $g;
    my ($conn) = named($g, qr/^connection$/i);
    unlike $conn // '', qr/jwtsso|remote/i, '4: no Connection header names them';

    # ------------------------------------------------------------ 5. logout
    my $before = () = slurp($app_log) =~ /^GET /mg;
    my $out = $ua->get("$base/logout");
    is $out->code, 302, '5: /logout: 302';
    is $out->header('Location'), 'https://idp.example.com/logout', "5: to the example's IdP logout";
    my $now = () = slurp($app_log) =~ /^GET /mg;
    is $now, $before, '5: /logout was not proxied';
    is $ua->get("$base/wiki/Main")->code, 302, '5: after the logout: to the IdP again';
}
