# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The README's bridge for OpenID Connect IdPs (Keycloak, Entra ID): one
# httpd logs users in with mod_auth_openidc and hands out jwtsso tokens
# with SetHandler jwtsso-issuer; a site under AuthType jwtsso uses it as
# its JWTSSOAuthEndpoint. The configuration is read from README.md itself
# (section "Keycloak, Entra ID and other OpenID Connect IdPs"), only the
# host names, ports and file paths replaced, so the example cannot rot:
#   1. the README's two examples are there, with the lines this test
#      replaces
#   2. a browser (LWP, redirects followed one by one) goes site -> issuer
#      -> the OpenID Connect provider (t/bin/mock-oidc.js) -> the
#      mod_auth_openidc callback -> issuer -> site, and lands logged in as
#      the provider's preferred_username; the token the issuer sent is for
#      that user with the README's iss; both logins logged, no token in
#      the log
#   3. the issuer gives no token without the OpenID Connect login: a fresh
#      browser asking it directly is sent to the provider
# Needs mod_auth_openidc (scripts/test installs libapache2-mod-auth-openidc)
# and node.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JSON::PP ();
use URI ();
use URI::Escape ();
use File::Temp ();
use File::Spec ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
my $oidc_so = File::Spec->catfile(JWTSSOTest::_modules_dir(), 'mod_auth_openidc.so');
plan skip_all => "mod_auth_openidc not installed ($oidc_so; Debian: libapache2-mod-auth-openidc)"
    unless -f $oidc_so;
my ($node_rc) = JWTSSOTest::_run_capture('node', '-e', '0');
plan skip_all => 'node not found' if $node_rc;

plan tests => 21;

# processes started here, stopped by PID at the end (also on die); the
# provider dies of the TERM, whose status must not become the test's
my ($op_pid, $h);
my $PARENT = $$;
END {
    if ($$ == $PARENT) {
        local $?;
        httpd_stop($h) if $h;
        stop_pid($op_pid) if $op_pid;
    }
}

# ---------------------------------------------------------------- 1. README
my $readme = slurp(File::Spec->catfile(top_dir(), 'README.md'));
my ($section) = $readme =~ /^## Keycloak, Entra ID and other OpenID Connect IdPs\n(.*?)^## /ms;
ok defined $section, '1: README has the section';
my @blocks = ($section // '') =~ /^```apache\n(.*?)^```/msg;
is scalar @blocks, 2, '1: two apache examples in it (the bridge, a site)';
my ($bridge, $site) = @blocks;
$bridge //= ''; $site //= '';

my $op_port = free_port();
my $port = free_port();
my $base = "http://127.0.0.1:$port";
my $op = "http://127.0.0.1:$op_port";
my $tmp = File::Temp::tempdir('jwtsso-bridge-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $secret_file = "$tmp/jwtsso.secret";
my $pass_file = "$tmp/oidc-crypto.passphrase";
for ([$secret_file, secret('main') . "\n"], [$pass_file, "bridge-test-crypto-passphrase-0123456789\n"]) {
    open my $fh, '>', $_->[0] or die "$_->[0]: $!";
    print $fh $_->[1];
    close $fh;
}

# Each replacement must match: a README edit that drops the line fails here.
my @bridge_subst = (
    [qr{https://keycloak\.example\.com/realms/example/\.well-known/openid-configuration}, "$op/.well-known/openid-configuration"],
    [qr{https://sso\.example\.com/idp/oidc-callback}, "$base/idp/oidc-callback"],
    [qr{JWTSSOIssuerAllowedReturnTo https://app\.example\.com/ https://wiki\.example\.com/}, "JWTSSOIssuerAllowedReturnTo $base/"],
    [qr{/etc/apache2/jwtsso\.secret}, $secret_file],
    [qr{/etc/apache2/oidc-crypto\.passphrase}, $pass_file],
);
my @site_subst = (
    [qr{^<Location />$}m, '<Location /app/>'],
    [qr{https://sso\.example\.com/idp/login}, "$base/idp/login"],
    [qr{/etc/apache2/jwtsso\.secret}, $secret_file],
    [qr{;secure;}, ';'],                      # the test speaks http
);
my @missing;
for ([\$bridge, \@bridge_subst], [\$site, \@site_subst]) {
    my ($text, $subst) = @$_;
    for my $s (@$subst) {
        push @missing, "$s->[0]" unless $$text =~ s/$s->[0]/$s->[1]/g;
    }
}
is_deeply \@missing, [], '1: every line the test replaces is in the README examples';
like $bridge, qr/^\s*AuthType openid-connect$/m, '1: the bridge logs in with mod_auth_openidc';
like $bridge, qr/^\s*SetHandler jwtsso-issuer$/m, '1: the bridge hands out jwtsso tokens';
my ($iss) = $bridge =~ /^\s*JWTSSOIssuerName (\S+)$/m;
my $want_iss = quotemeta($iss // 'x');
like $site, qr/^\s*JWTSSOIssuer $want_iss\n/m, "1: the site checks the bridge's iss";

# ---------------------------------------------------------------- start
my $op_log = "$tmp/op.log";
$op_pid = JWTSSOTest::_spawn($op_log, 'node', File::Spec->catfile(top_dir(), 't', 'bin', 'mock-oidc.js'),
                             $op_port, 'alice');
ok wait_port($op_port, 15), 'the OpenID Connect provider listens' or diag slurp($op_log);

my @mods = (httpd_modules(), 'auth_openidc');
# the bridge's public URL is this httpd: the site needs it for return_to
$site =~ s/^(\s*)(JWTSSOIssuer )/$1JWTSSOPublicURL $base\n$1$2/m;
$h = eval { httpd_start("$bridge\n$site", port => $port, modules => \@mods) };
ok $h, 'httpd with the README bridge and site starts' or diag $@;

# mod_auth_openidc answers 401 instead of a redirect to requests that do
# not look like a browser's (an Accept without text/html or */*).
sub browser {
    require HTTP::Headers;
    return ua(default_headers => HTTP::Headers->new(Accept => 'text/html,*/*;q=0.8'));
}

# ---------------------------------------------------------------- 2. login
SKIP: {
    skip 'no server', 12 unless $h;
    my $mark = log_mark($h->{error_log});
    my $ua = browser();
    my $url = "$base/app/";
    my (@hops, $res, $token);
    for (1 .. 12) {
        $res = $ua->get($url);
        push @hops, $res->code . ' ' . URI->new($url)->path;
        last unless $res->code == 302;
        my $next = URI->new_abs($res->header('Location'), $url)->as_string;
        $token = query_params($next)->{jwt} if $next =~ /[?&]jwt=/;
        $url = $next;
    }
    my $hops = join ', ', @hops;
    is $res->code, 200, '2: the browser lands on the page' or diag $hops;
    like $hops, qr{^302 /app/, 302 /idp/login, 302 /auth, 302 /idp/oidc-callback, 302 /idp/login, 302 /app/, 200 /app/$},
        '2: site -> issuer -> provider -> callback -> issuer -> site (token) -> site' or diag $hops;
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'alice', "2: REMOTE_USER is the provider's preferred_username";
    is $v->{AUTH_TYPE}, 'jwtsso', '2: AUTH_TYPE jwtsso (the site, not mod_auth_openidc)';
    ok defined $token, '2: the issuer sent a token to the site';
    my $claims = eval { JSON::PP::decode_json(b64url_decode((split /\./, $token // '')[1] // '')) } || {};
    is $claims->{sub}, 'alice', '2: the token is for that user';
    is $claims->{iss}, $iss, "2: with the README's JWTSSOIssuerName";
    my $log = log_since($h->{error_log}, $mark, qr/JWTSSO00408/);
    like $log, qr/JWTSSO00985: issuer: token for 'alice'/, '2: the issuer logged the token it made (JWTSSO00985)';
    like $log, qr/JWTSSO00408: login: user 'alice'/, '2: the site logged the login (JWTSSO00408)';
    ok index($log, $token // 'no-token') < 0, '2: the token is not in the log';
    my $again = $ua->get("$base/app/");
    is $again->code, 200, '2: the session carries the login';
    like slurp($op_log), qr{^POST /token$}m, '2: mod_auth_openidc redeemed the code at the provider';
}

# ---------------------------------------------------------------- 3. no token
SKIP: {
    skip 'no server', 1 unless $h;
    my $res = browser()->get("$base/idp/login?return_to=" . URI::Escape::uri_escape("$base/app/"));
    my $loc = $res->header('Location') // '';
    ok $res->code == 302 && index($loc, "$op/auth?") == 0 && $loc !~ /[?&]jwt=/,
        '3: without the OpenID Connect login the issuer sends the browser to the provider, no token'
        or diag $res->code . " $loc";
}
