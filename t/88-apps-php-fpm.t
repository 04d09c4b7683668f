# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# conf/examples/php-fpm.conf, run as it is (only the port, the site's name,
# the certificate, the secret, the document root and php-fpm's address
# replaced) in an httpd of its own over TLS, with the modules its
# "a2enmod" line names, in front of a real Debian php-fpm started here
# (its own pool on 127.0.0.1, as this user, stopped by its PID):
#   1. the example has every line the test replaces; start-up says no
#      warning of ours
#   2. without a session: to the IdP; php-fpm never sees the request
#   3. the IdP's token (jsonwebtoken) logs in, and the PHP page sees
#      $_SERVER['REMOTE_USER'], AUTH_TYPE jwtsso and the JWTSSO_CLAIM_*
#      variables, at /index.php and at / (DirectoryIndex)
#   4. headers a client sends to pose as the module (X-JWTSSO-Claim-*,
#      X_JWTSSO_*, X-JWTSSO-Claims) never reach PHP: no HTTP_X_JWTSSO_*,
#      the claim variables are the token's
#   5. /logout ends the session
# Skips only without php-fpm (Debian: php-fpm).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JWTSSOApps;
use JSON::PP ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
my ($fpm) = grep { -x } sort { $b cmp $a } glob('/usr/sbin/php-fpm*');
plan skip_all => 'php-fpm not installed (Debian: apt-get install php-fpm)' unless $fpm;
my ($node_rc) = JWTSSOTest::_run_capture('node', '-e', '0');
plan skip_all => 'node not found' if $node_rc;

plan tests => 25;

my ($h, $fpm_pid);
at_end(sub {
    httpd_stop($h) if $h;
    stop_pid($fpm_pid) if $fpm_pid;
});

# ---------------------------------------------------------------- 1. the example
my $fpm_port = app_port(2);
my $site = example_site('php-fpm.conf', subst => sub {
    return ([qr{/var/www/app\b}, "$_[0]/www"], [qr{127\.0\.0\.1:9000}, "127.0.0.1:$fpm_port"]);
});
is_deeply $site->{missing}, [], '1: every line the test replaces is in the example';
like $site->{text}, qr{<FilesMatch "\\\.php\$">\s+SetHandler "proxy:fcgi://127\.0\.0\.1:$fpm_port"}, '1: PHP goes to php-fpm by proxy_fcgi';
my $tmp = $site->{tmp};
mkdir "$tmp/www" or die "$tmp/www: $!";
write_in("$tmp/www", 'index.php', <<'PHP');
<?php
// what mod_auth_jwtsso hands to a PHP app, one NAME=value per line
header('Content-Type: text/plain; charset=utf-8');
foreach (['REMOTE_USER', 'AUTH_TYPE', 'SCRIPT_NAME'] as $k) {
    echo $k, '=', $_SERVER[$k] ?? '', "\n";
}
$keys = array_keys($_SERVER);
sort($keys);
foreach ($keys as $k) {
    if (preg_match('/^JWTSSO_/', $k) || (strncmp($k, 'HTTP_', 5) == 0 && stripos($k, 'jwtsso') !== false)) {
        echo $k, '=', str_replace("\n", '\n', $_SERVER[$k]), "\n";
    }
}
echo "HTTP_COOKIE=", $_SERVER['HTTP_COOKIE'] ?? '', "\n";
PHP

# php-fpm: its own pool, in the foreground, as this user (no user/group)
my $fpm_log = "$tmp/php-fpm.log";
my $fpm_conf = write_in($tmp, 'php-fpm.conf', <<"EOC");
[global]
pid = $tmp/php-fpm.pid
error_log = $fpm_log
daemonize = no

[app]
listen = 127.0.0.1:$fpm_port
listen.allowed_clients = 127.0.0.1
pm = static
pm.max_children = 2
access.log = $tmp/php-fpm.access.log
access.format = "%m %{REQUEST_URI}e %s"
catch_workers_output = yes
EOC
$fpm_pid = JWTSSOTest::_spawn("$tmp/php-fpm.out", $fpm, '-F', '-y', $fpm_conf, '-p', $tmp);
ok wait_port($fpm_port, 15), "php-fpm ($fpm) listens on 127.0.0.1:$fpm_port"
    or diag slurp("$tmp/php-fpm.out") . (-e $fpm_log ? slurp($fpm_log) : '');

my @mods = example_modules($site->{text});
ok((grep { $_ eq 'proxy_fcgi' } @mods) && (grep { $_ eq 'proxy' } @mods), '1: a2enmod names proxy_fcgi (and so proxy)')
    or diag "@mods";
$h = eval { httpd_start($site->{text}, port => $site->{port}, modules => \@mods) };
ok $h, '1: httpd starts with the example' or diag $@;
my $base = $site->{base};

sub php_access { -e "$tmp/php-fpm.access.log" ? slurp("$tmp/php-fpm.access.log") : '' }

SKIP: {
    skip 'no server', 20 unless $h;
    is_deeply [jwtsso_warnings(slurp($h->{error_log}))], [], '1: no warning or error of mod_auth_jwtsso at start-up';

    # ------------------------------------------------------------ 2. no session
    my $res = tls_ua()->get("$base/index.php");
    is $res->code, 302, '2: no session: 302';
    my $loc = $res->header('Location') // '';
    ok $loc =~ m{^https://idp\.example\.com/login\?} && (query_params($loc)->{return_to} // '') =~ m{^\Q$base\E/index\.php\?jwtsso_state=},
        '2: to the IdP, return_to the public URL of the page' or diag $loc;
    is php_access(), '', '2: php-fpm saw no request';

    # ------------------------------------------------------------ 3. login
    my $ua = tls_ua();
    my $mark = log_mark($h->{error_log});
    my ($r, $token) = idp_login($ua, $base, '/index.php',
        { sub => 'alice', email => 'alice@example.com', groups => ['staff', 'dev'] });
    is scalar(@$r), 3, '3: page -> IdP, back with the token -> the page';
    my $v = app_vars($r->[2] // '');
    is $r->[2] && $r->[2]->code, 200, '3: the PHP page answers 200' or diag $r->[2] ? $r->[2]->as_string : '';
    is $v->{REMOTE_USER}, 'alice', "3: \$_SERVER['REMOTE_USER']";
    is $v->{AUTH_TYPE}, 'jwtsso', "3: \$_SERVER['AUTH_TYPE']";
    is $v->{JWTSSO_CLAIM_SUB}, 'alice', '3: JWTSSO_CLAIM_SUB';
    is $v->{JWTSSO_CLAIM_EMAIL}, 'alice@example.com', '3: JWTSSO_CLAIM_EMAIL';
    is $v->{JWTSSO_CLAIM_GROUPS}, 'staff,dev', '3: JWTSSO_CLAIM_GROUPS (an array, joined)';
    my $claims = eval { JSON::PP::decode_json($v->{JWTSSO_CLAIMS} // '') } || {};
    is $claims->{email}, 'alice@example.com', '3: JWTSSO_CLAIMS is the claims as JSON';
    like php_access(), qr{^GET /index\.php 200$}m, '3: php-fpm ran the page';
    my $root = $ua->get("$base/");
    is app_vars($root)->{REMOTE_USER}, 'alice', '3: / runs index.php (DirectoryIndex) for alice too';
    ok index(log_since($h->{error_log}, $mark), $token // 'no-token') < 0, '3: the token is not in the log';

    # ------------------------------------------------------------ 4. spoofing
    my $sp = req($ua, GET => "$base/index.php",
        'X-JWTSSO-Claim-sub' => 'mallory', 'X-JWTSSO-Claim-role' => 'admin',
        ':X_JWTSSO_CLAIM_ROLE' => 'admin', ':X-JWTSSO_Claim_Email' => 'm\@evil.example', 'x-jwtsso-claims' => '{"sub":"mallory"}',
        'X-Jwtsso-User' => 'mallory', 'Jwtsso-Claim-Role' => 'admin');
    my $s = app_vars($sp);
    is $sp->code, 200, '4: a logged-in request with spoofed headers: 200';
    my @http = sort grep { /^HTTP_/ && /JWTSSO/i && $_ ne 'HTTP_COOKIE' } keys %$s;
    is_deeply \@http, ['HTTP_JWTSSO_CLAIM_ROLE'], '4: no HTTP_X_JWTSSO_* reaches PHP (only the unprefixed Jwtsso-Claim-Role, a header of its own)'
        or diag explain $s;
    is_deeply [$s->{REMOTE_USER}, $s->{JWTSSO_CLAIM_SUB}, $s->{JWTSSO_CLAIM_ROLE}], ['alice', 'alice', undef],
        "4: REMOTE_USER and the claim variables are the token's, no JWTSSO_CLAIM_ROLE";

    # ------------------------------------------------------------ 5. logout
    my $out = $ua->get("$base/logout");
    is $out->code, 302, '5: /logout: 302 (to the IdP logout)';
    my $after = $ua->get("$base/index.php");
    is $after->code, 302, '5: after the logout the page asks for a login again';
}
