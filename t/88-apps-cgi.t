# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# conf/examples/cgi.conf, run as it is (only the port, the site's name, the
# certificate, the secret and the scripts' directory replaced) in an httpd
# of its own over TLS, with the modules its "a2enmod" line names; the
# scripts' directory holds the demo's page (demo/site/cgi-bin/app.cgi):
#   1. the example has every line the test replaces; start-up says no
#      warning of ours
#   2. without a session the page sends the browser to the IdP with a
#      return_to of the example's public URL
#   3. the IdP's token (jsonwebtoken) logs in: the demo page greets the
#      user, with AUTH_TYPE jwtsso and the claims; the session cookie is
#      Secure and HttpOnly; the token is not in the log
#   4. a token signed with another secret: 401, the reason in the log
#   5. /logout ends it: to the IdP's logout URL, and the page asks for a
#      login again

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JWTSSOApps;
use File::Copy ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
my ($node_rc) = JWTSSOTest::_run_capture('node', '-e', '0');
plan skip_all => 'node not found' if $node_rc;

plan tests => 21;

my $h;
at_end(sub {
    httpd_stop($h) if $h;
});

# ---------------------------------------------------------------- 1. the example
my $site = example_site('cgi.conf', subst => sub { [qr{/var/www/app/cgi-bin}, "$_[0]/cgi-bin"] });
my $cgi_dir = "$site->{tmp}/cgi-bin";
is_deeply $site->{missing}, [], '1: every line the test replaces is in the example';
mkdir $cgi_dir or die "$cgi_dir: $!";
File::Copy::copy(File::Spec->catfile(top_dir(), 'demo', 'site', 'cgi-bin', 'app.cgi'), "$cgi_dir/app.cgi")
    or die "copy app.cgi: $!";
chmod 0755, "$cgi_dir/app.cgi";

my @mods = example_modules($site->{text});
ok((grep { $_ eq 'ssl' } @mods) && (grep { /^cgid?$/ } @mods), '1: a2enmod names ssl and cgid')
    or diag "@mods";
$h = eval { httpd_start($site->{text}, port => $site->{port}, modules => \@mods) };
ok $h, '1: httpd starts with the example' or diag $@;
my $base = $site->{base};

SKIP: {
    skip 'no server', 18 unless $h;
    my @warn = jwtsso_warnings(slurp($h->{error_log}));
    is_deeply \@warn, [], '1: no warning or error of mod_auth_jwtsso at start-up';

    # ------------------------------------------------------------ 2. no session
    my $res = tls_ua()->get("$base/app/app.cgi");
    my $loc = $res->header('Location') // '';
    is $res->code, 302, '2: no session: 302';
    like $loc, qr{^https://idp\.example\.com/login\?return_to=}, "2: to the example's IdP login";
    like query_params($loc)->{return_to} // '', qr{^\Q$base\E/app/app\.cgi\?jwtsso_state=},
        '2: return_to is the public URL of the page (JWTSSOPublicURL), with the state';

    # ------------------------------------------------------------ 3. login
    my $mark = log_mark($h->{error_log});
    my $ua = tls_ua();
    my ($r, $token) = idp_login($ua, $base, '/app/app.cgi', { sub => 'alice', email => 'alice@example.com' });
    is scalar(@$r), 3, '3: page -> IdP, back with the token -> the page' or diag map { $_->as_string } @$r;
    my $back = $r->[1] // $r->[0];
    is $back->code, 302, '3: the token is consumed with a redirect';
    my $c = response_cookie($back, 'jwtsso_session');
    ok $c && $c->{attr}{secure} && $c->{attr}{httponly}, '3: the session cookie is Secure and HttpOnly'
        or diag $back->as_string;
    my $page = $r->[2] ? $r->[2]->decoded_content : '';
    is $r->[2] && $r->[2]->code, 200, '3: the page answers 200';
    like $page, qr{<h1>Hello, alice!</h1>}, '3: the demo page greets alice';
    like $page, qr{AUTH_TYPE = <code>jwtsso</code>}, '3: AUTH_TYPE jwtsso';
    like $page, qr{<th>JWTSSO_CLAIM_EMAIL</th><td><code>alice\@example\.com</code>}, '3: the email claim';
    my $log = log_since($h->{error_log}, $mark, qr/JWTSSO00408/);
    like $log, qr/JWTSSO00408: login: user 'alice'/, '3: the login is logged';
    ok $token && index($log, $token) < 0, '3: the token is not in the log';

    # ------------------------------------------------------------ 4. a bad token
    $mark = log_mark($h->{error_log});
    my $bad = tls_ua()->get("$base/app/app.cgi?jwt="
        . raw_token(payload => { sub => 'mallory', iat => time, exp => time + 60 }, secret => secret('other')));
    is $bad->code, 401, '4: a token signed with another secret: 401';
    like log_since($h->{error_log}, $mark, qr/JWTSSO00213/), qr/JWTSSO00213: token refused: bad_signature/,
        '4: the log says bad_signature';

    # ------------------------------------------------------------ 5. logout
    my $out = $ua->get("$base/logout");
    is $out->code, 302, '5: /logout: 302';
    is $out->header('Location'), 'https://idp.example.com/logout', "5: to the example's IdP logout";
    my $after = $ua->get("$base/app/app.cgi");
    is $after->code, 302, '5: after the logout the page asks for a login again' or diag $after->as_string;
}
