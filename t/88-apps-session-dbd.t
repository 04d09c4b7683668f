# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# conf/examples/session-dbd-sqlite.conf, run as it is (only the port, the
# site's name, the certificate, the secret, the database and the scripts'
# directory replaced) in an httpd of its own over TLS, with the modules
# its "a2enmod" line names, on a real SQLite file made with the example's
# own CREATE TABLE; the scripts' directory holds the demo's page. After
# the example's lines, inside its <VirtualHost>, the test adds two
# locations of its own (marked in the configuration):
#   /app/env.cgi   SessionDBDCookieRemove Off and JWTSSOStripCookies On:
#                  the module, not mod_session_dbd, takes the cookie out
#   /app/idle/     JWTSSOSessionInactivity 60, which writes the last-seen
#                  entry into the row
#   1. the example has every line the test replaces; start-up says no
#      warning of ours (mod_session_dbd is a session store it knows)
#   2. the login (a jsonwebtoken token): the cookie holds only an id (a
#      UUID, no user, no record), the row with that id holds the record;
#      the page greets the user; a copy of the cookie works elsewhere
#   3. JWTSSOStripCookies takes mod_session_dbd's cookie out of what a
#      CGI sees (and, as a control, JWTSSOStripCookies Off leaves it)
#   4. /logout deletes the row (also after the last-seen entry was
#      written), and the copy taken before no longer gets in
#   5. the example's cron line ends a session whose row is older than the
#      login's lifetime
# Skips only without SQLite's DBD driver (Debian: libaprutil1-dbd-sqlite3)
# or the sqlite3 command (Debian: sqlite3).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JWTSSOApps;
use File::Copy ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
plan skip_all => "SQLite's APR DBD driver not installed (Debian: apt-get install libaprutil1-dbd-sqlite3)"
    unless dbd_driver('sqlite3');
my ($sq_rc) = JWTSSOTest::_run_capture('sqlite3', '-version');
plan skip_all => 'the sqlite3 command not installed (Debian: apt-get install sqlite3)' if $sq_rc;
my ($node_rc) = JWTSSOTest::_run_capture('node', '-e', '0');
plan skip_all => 'node not found' if $node_rc;

plan tests => 35;

my $h;
at_end(sub {
    httpd_stop($h) if $h;
});

# ---------------------------------------------------------------- 1. the example
my $site = example_site('session-dbd-sqlite.conf', subst => sub {
    return ([qr{/var/lib/apache2/jwtsso/sessions\.db}, "$_[0]/db/sessions.db"],
            [qr{/var/www/app/cgi-bin}, "$_[0]/cgi-bin"]);
});
my $tmp = $site->{tmp};
my $db = "$tmp/db/sessions.db";
is_deeply $site->{missing}, [], '1: every line the test replaces is in the example';
my ($create) = $site->{text} =~ /^#\s+sqlite3 \Q$db\E \\\n#\s+'(CREATE TABLE [^']+)'$/m;
ok $create, "1: the example's comment has the CREATE TABLE";
my ($cron) = $site->{text} =~ /clean up from cron.*\n#\s+sqlite3 \Q$db\E \\\n#\s+"(DELETE [^"]+)"$/m;
ok $cron, "1: the example's comment has the clean-up statement";
my $readme = slurp(File::Spec->catfile(top_dir(), 'README.md'));
my ($raw_create) = example_text('session-dbd-sqlite.conf') =~ /^#\s+'(CREATE TABLE [^']+)'$/m;
ok defined $raw_create && index($readme, "'$raw_create'") >= 0
    && $readme =~ /^sqlite3 \S+ "\Q${\ ($cron \/\/ 'none')}\E"$/m,
    "1: the README gives the example's CREATE TABLE and clean-up";

sub sql {
    my ($rc, $out) = JWTSSOTest::_run_capture('sqlite3', '-batch', '-separator', '|', $db, shift);
    die "sqlite3: $out" if $rc;
    chomp $out;
    return $out;
}
mkdir "$tmp/db" or die "$tmp/db: $!";
sql($create // 'CREATE TABLE none (x)');
mkdir "$tmp/cgi-bin" or die "$tmp/cgi-bin: $!";
mkdir "$tmp/cgi-bin/idle" or die "$tmp/cgi-bin/idle: $!";
for (['demo/site/cgi-bin/app.cgi', 'app.cgi'], ['demo/site/cgi-bin/app.cgi', 'idle/app.cgi'],
     ['t/htdocs/cgi/env.cgi', 'env.cgi'], ['t/htdocs/cgi/env.cgi', 'kept.cgi']) {
    File::Copy::copy(File::Spec->catfile(top_dir(), $_->[0]), "$tmp/cgi-bin/$_->[1]") or die "copy $_->[0]: $!";
    chmod 0755, "$tmp/cgi-bin/$_->[1]";
}

my $extra = <<'EOC';
    # ---- added by t/88-apps-session-dbd.t, not part of the example
    <Location /app/env.cgi>
        SessionDBDCookieRemove Off
        JWTSSOStripCookies On
    </Location>
    <Location /app/kept.cgi>
        SessionDBDCookieRemove Off
        JWTSSOStripCookies Off
    </Location>
    <Location /app/idle/>
        JWTSSOSessionInactivity 60
    </Location>
EOC
my $conf = $site->{text};
$conf =~ s{^</VirtualHost>$}{$extra</VirtualHost>}m;

my @mods = example_modules($site->{text});
ok((grep { $_ eq 'session_dbd' } @mods) && (grep { $_ eq 'dbd' } @mods), '1: a2enmod names dbd and session_dbd')
    or diag "@mods";
$h = eval { httpd_start($conf, port => $site->{port}, modules => \@mods) };
ok $h, '1: httpd starts with the example' or diag $@;
my $base = $site->{base};
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

# a request with only this session cookie
sub with_cookie {
    my ($path, $id) = @_;
    return req(tls_ua(cookie_jar => undef), GET => "$base$path", Cookie => "jwtsso_session=$id");
}

SKIP: {
    skip 'no server', 29 unless $h;
    is_deeply [jwtsso_warnings(slurp($h->{error_log}))], [],
        '1: no warning or error of mod_auth_jwtsso at start-up (mod_session_dbd is a store it knows)';

    # ------------------------------------------------------------ 2. login
    my $ua = tls_ua();
    my ($r) = idp_login($ua, $base, '/app/app.cgi', { sub => 'alice', email => 'alice@example.com' });
    is scalar(@$r), 3, '2: page -> IdP, back with the token -> the page';
    my $c = response_cookie($r->[1] // $r->[0], 'jwtsso_session');
    my $id = $c ? $c->{value} : '';
    like $id, $UUID, '2: the cookie holds only an id (a UUID)';
    ok $c && $c->{attr}{secure} && $c->{attr}{httponly}, '2: Secure and HttpOnly';
    unlike $id, qr/alice|jwtsso/, '2: no user, no record in the cookie';
    my $row = sql("SELECT key, value, expiry FROM jwtsso_session");
    my ($key, $value, $expiry) = split /\|/, $row;
    is $key, $id, "2: the table's one row has the cookie's id";
    like $value // '', qr/^jwtsso=[^&]+$/, '2: the row holds the login record';
    ok length(sql("SELECT updated FROM jwtsso_session")), "2: the row's updated time is set";
    like $r->[2] ? $r->[2]->decoded_content : '', qr{<h1>Hello, alice!</h1>}, '2: the page greets alice';
    my $copy = with_cookie('/app/app.cgi', $id);
    is $copy->code, 200, '2: a copy of the cookie, sent from elsewhere, gets in before the logout';

    # ------------------------------------------------------------ 3. JWTSSOStripCookies
    $ua->cookie_jar->set_cookie(0, 'theme', 'dark', '/', '127.0.0.1', $site->{port}, 0, 0, 3600);
    my $env = app_vars($ua->get("$base/app/env.cgi"));
    is $env->{REMOTE_USER}, 'alice', '3: env.cgi (SessionDBDCookieRemove Off) runs for alice';
    unlike $env->{HTTP_COOKIE} // '', qr/jwtsso_session/, "3: JWTSSOStripCookies takes mod_session_dbd's cookie out";
    like $env->{HTTP_COOKIE} // '', qr/\btheme=dark\b/, "3: the app's own cookie stays";
    my $kept = app_vars($ua->get("$base/app/kept.cgi"));
    like $kept->{HTTP_COOKIE} // '', qr/\bjwtsso_session=\Q$id\E/, '3: control: with JWTSSOStripCookies Off it is there';

    # ------------------------------------------------------------ 4. logout
    my $out = $ua->get("$base/logout");
    is $out->code, 302, '4: /logout: 302';
    is $out->header('Location'), 'https://idp.example.com/logout', "4: to the example's IdP logout";
    is sql("SELECT count(*) FROM jwtsso_session"), 0, '4: the row is deleted';
    my $again = with_cookie('/app/app.cgi', $id);
    is $again->code, 302, '4: the copy of the cookie no longer gets in: to the IdP';
    like $again->header('Location') // '', qr{^https://idp\.example\.com/login\?}, '4: ... its login page';
    unlike $again->decoded_content // '', qr/alice/, '4: ... and sees nothing of alice';
    is $ua->get("$base/app/app.cgi")->code, 302, "4: the browser that logged out is logged out";

    # the last-seen entry (JWTSSOSessionInactivity) goes at logout too
    my $ua2 = tls_ua();
    my ($r2) = idp_login($ua2, $base, '/app/idle/app.cgi', { sub => 'bob' });
    is $r2->[2] && $r2->[2]->code, 200, '4: bob logs in at /app/idle/';
    sleep 7;      # a tenth of the 60 s: the next request writes the entry
    my $seen = $ua2->get("$base/app/idle/app.cgi");
    is $seen->code, 200, '4: bob, 7 s later';
    like sql("SELECT value FROM jwtsso_session"), qr/(?:^|&)jwtsso_seen=/, '4: the row now has the last-seen entry';
    $ua2->get("$base/logout");
    is sql("SELECT count(*) FROM jwtsso_session"), 0, "4: bob's logout deletes the row too";

    # ------------------------------------------------------------ 5. clean-up
    my $ua3 = tls_ua();
    my ($r3) = idp_login($ua3, $base, '/app/app.cgi', { sub => 'carol' });
    my $c3 = response_cookie($r3->[1] // $r3->[0], 'jwtsso_session');
    is $r3->[2] && $r3->[2]->code, 200, '5: carol logs in';
    sql("UPDATE jwtsso_session SET updated = datetime('now', '-9 hours')");
    sql($cron // 'SELECT 1');
    is sql("SELECT count(*) FROM jwtsso_session"), 0, "5: the example's clean-up deletes a row older than 8 hours";
    is with_cookie('/app/app.cgi', $c3 ? $c3->{value} : 'x')->code, 302, '5: and that session is over';
    is_deeply [jwtsso_warnings(slurp($h->{error_log}))], [], 'no warning or error of mod_auth_jwtsso in the whole run';
}
