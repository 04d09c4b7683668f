# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
# A real browser through the whole login: headless Chromium (Debian's
# package, driven by playwright-core) opens a protected page, is sent to the
# demo IdP (demo/idp.js: Express + jsonwebtoken, the shape of a Node IdP's
# login endpoint), logs in with its form, comes back with ?jwt=, and lands on
# the page with the token gone from the URL and REMOTE_USER set. This is
# what scripts/demo shows a person, with the state cookie, SameSite and the
# module's own redirects all handled by a browser rather than by LWP.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use Apache::TestConfig ();
use JSON::PP ();
use POSIX ();
use IO::Socket::INET ();
use Time::HiRes ();
use JWTSSOTest;

my $chromium = $ENV{CHROMIUM} || '/usr/bin/chromium';
my $pw = top_dir() . '/node/node_modules/playwright-core';
plan tests => 11, need_module('mod_auth_jwtsso.c'),
    need(-x $chromium ? 1 : "no $chromium (scripts/test installs it)",
         -d $pw ? 1 : "no $pw (scripts/test runs npm ci)");

my $port = Apache::Test::config()->{vars}->{jwtsso_idp_port}
    or die "no jwtsso_idp_port in the Apache::Test config (t/TEST.PL)";
my $BASE = base_url();

# Start the demo IdP on the port the test config points at.
my $idp = fork // die "fork: $!";
if (!$idp) {
    $ENV{JWTSSO_DEMO_SECRET} = secret('main');
    $ENV{IDP_PORT} = $port;
    $ENV{IDP_RETURN_TO_PREFIX} = "$BASE/";
    open STDOUT, '>', '/dev/null';
    exec 'node', top_dir() . '/demo/idp.js' or POSIX::_exit(127);
}
END { if ($idp) { kill 'TERM', $idp; waitpid $idp, 0; } }

my $up = 0;
for (1 .. 100) {
    if (IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port)) { $up = 1; last }
    Time::HiRes::sleep(0.1);
}
ok $up, "demo IdP listens on 127.0.0.1:$port";

my $mark = error_log_mark();
my $start = "$BASE/app/browser/page?tab=2";
my $json = do {
    local $ENV{NODE_PATH} = top_dir() . '/node/node_modules';
    open my $fh, '-|', 'node', top_dir() . '/t/bin/browser-login.js', $start, 'carol'
        or die "browser-login.js: $!";
    local $/;
    <$fh>;
};
my $r = eval { JSON::PP->new->decode($json) } || {};
diag "browser-login.js printed: $json" unless $r->{body};

like $r->{login_url} // '', qr{^http://127\.0\.0\.1:$port/login\?return_to=},
    'the browser was sent to the IdP with return_to';
is $r->{after_login_url}, $start,
    'after the IdP, the browser is back on the page, jwt and jwtsso_state gone';
like $r->{body} // '', qr/^REMOTE_USER=carol$/m, 'the page sees REMOTE_USER=carol';
like $r->{body} // '', qr/^AUTH_TYPE=jwtsso$/m, 'and AUTH_TYPE=jwtsso';
like $r->{body} // '', qr/^QUERY_STRING=tab=2$/m, 'the page\'s own query is kept';
is $r->{again_url}, $start, 'a second visit needs no login (no redirect)';
like $r->{again_body} // '', qr/^REMOTE_USER=carol$/m, 'the session carries the login';

my %c = map { $_->{name} => $_ } @{ $r->{cookies} || [] };
ok $c{jwtsso_session} && $c{jwtsso_session}{httpOnly}, 'the session cookie is HttpOnly';
ok !$c{jwtsso_state}, 'the state cookie was used once and cleared';
like scalar(error_log_since($mark, qr/JWTSSO00408/)), qr/JWTSSO00408: login: user 'carol'/,
    'the login is logged (JWTSSO00408)';
