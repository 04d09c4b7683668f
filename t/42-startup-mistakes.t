# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Mistakes an administrator makes in the first hour (issue 14), each caught
# by `httpd -t` with the directive and the fix, or at least warned about:
#   1. JWTSSOSecret /path (file: forgotten)
#   2. AuthType jwtsso without Session On or a session cookie name; the
#      runtime message when the walk cannot tell (a <Directory>)
#   3. a jwtsso-logout location with another session cookie
#   4. return_to from ServerName with UseCanonicalName Off, no JWTSSOPublicURL
#   5. JWTSSOAllowShortSecret On after the secret: order does not matter
#   6. keywords in any case (algorithms, off, WORDS, On/Off flags); a token's
#      own "alg" stays exact
#   7. the t/bin token helpers read file: secrets as the module does
# Each configuration is small and of its own (JWTSSOTest::httpd_configtest,
# httpd_start); the test server of the other .t files is not involved.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Temp ();
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso.so not built (' . module_path() . ')' unless -e module_path();

my $SECRET = secret('main');
my $SESSION = "Session On\n    SessionCookieName jwtsso_session path=/;httponly\n    SessionMaxAge 0";

# A protected <Location $path>; %o replaces or removes (undef) lines.
sub location {
    my %o = @_;
    my $path = delete $o{path} // '/app';
    my %line = (
        authtype => 'AuthType jwtsso',
        authname => 'AuthName "t"',
        endpoint => 'JWTSSOAuthEndpoint https://idp.example.test/login',
        secret   => qq{JWTSSOSecret "$SECRET"},
        session  => $SESSION,
        require  => 'Require valid-user',
        extra    => '',
    );
    for my $k (keys %o) {
        $line{$k} = $o{$k};
    }
    my @order = qw(extra authtype authname endpoint secret session require);
    return "<Location $path>\n" . join('', map { "    $_\n" } grep { defined && length } @line{@order})
         . "</Location>\n";
}

# the line number in the generated httpd.conf of the first line matching $re
sub line_of {
    my ($out, $re) = @_;
    my ($file) = $out =~ m{(/\S+/httpd\.conf):\d+};
    return undef unless $file && open my $fh, '<', $file;
    while (<$fh>) {
        return $. if /$re/;
    }
    return undef;
}

my $dir = File::Temp::tempdir('jwtsso-t42-XXXXXX', TMPDIR => 1, CLEANUP => 1);
sub write_file { write_in($dir, @_) }

# ================================================================ 1. a path without file:
{
    my $f = write_file('idp.secret', "$SECRET\n");
    config_bad('JWTSSOSecret /path of an existing file', location(secret => "JWTSSOSecret $f"),
               [ qr/JWTSSOSecret: '\Q$f\E' is the path of an existing file, not a secret; to read the secret from the file, write file:\Q$f\E/,
                 qr/Syntax error on line \d+/ ]);
    config_bad('JWTSSOSessionKey /path of an existing file',
               location(extra => "JWTSSOSessionKey $f"),
               [ qr/JWTSSOSessionKey: '\Q$f\E' is the path of an existing file, not a secret; to read the secret from the file, write file:\Q$f\E/ ]);
    config_bad('JWTSSOIssuerSecret /path of an existing file',
               "<Location /idp>\n    SetHandler jwtsso-issuer\n    JWTSSOIssuerSecret $f\n</Location>\n",
               [ qr/JWTSSOIssuerSecret: '\Q$f\E' is the path of an existing file, not a secret; .*write file:\Q$f\E/ ]);
    config_ok('JWTSSOSecret file:/path, the fix', location(secret => "JWTSSOSecret file:$f"));
    # a literal that only looks like a path is a (long enough) secret
    config_ok('JWTSSOSecret /no/such/file-0123456789abcdefghij (not a file): a literal',
              location(secret => 'JWTSSOSecret /no/such/file-0123456789abcdefghij'));
    config_ok('JWTSSOSecret of a directory path: a literal',
              location(secret => "JWTSSOSecret $dir/", extra => 'JWTSSOAllowShortSecret On'));
}

# ================================================================ 5. short secrets, in either order
my $SHORT = qr/JWTSSO01150: JWTSSOSecret: the secret is 12 bytes; at least 32 are required/;
{
    my $out = config_bad('short secret, no JWTSSOAllowShortSecret',
                         location(secret => 'JWTSSOSecret "short-secret"'),
                         [ $SHORT, qr/put 'JWTSSOAllowShortSecret On' in that section or one around it \(before or after the secret\)/,
                           qr/in <Location \/app> \(server 127\.0\.0\.1:\d+, \S+httpd\.conf:\d+\)/ ]);
    my $n = line_of($out, qr/JWTSSOSecret "short-secret"/);
    like $out, qr/It is at \S+httpd\.conf:$n, in /, 'short secret: the message names the line of the secret';
    my $s = line_of($out, qr/^<Location \/app>/);
    like $out, qr/\(server 127\.0\.0\.1:\d+, \S+httpd\.conf:$s\)/, 'short secret: and the line of its section';
}
config_ok('JWTSSOAllowShortSecret On before the secret',
          location(secret => "JWTSSOAllowShortSecret On\n    JWTSSOSecret \"short-secret\""));
config_ok('JWTSSOAllowShortSecret On after the secret',
          location(secret => "JWTSSOSecret \"short-secret\"\n    JWTSSOAllowShortSecret On"));
config_ok('JWTSSOAllowShortSecret On in a parent <Location />',
          "<Location />\n    JWTSSOAllowShortSecret On\n</Location>\n"
          . location(secret => 'JWTSSOSecret "short-secret"'));
config_ok('JWTSSOAllowShortSecret On at server level, after the section',
          location(secret => 'JWTSSOSecret "short-secret"') . "JWTSSOAllowShortSecret On\n");
config_bad('JWTSSOAllowShortSecret On then Off, after the secret',
           location(secret => "JWTSSOSecret \"short-secret\"\n    JWTSSOAllowShortSecret On\n    JWTSSOAllowShortSecret Off"),
           [ $SHORT ]);
config_bad('short secret in a section that is not AuthType jwtsso',
           "<Location /keys>\n    JWTSSOSecret \"short-secret\"\n</Location>\n",
           [ qr/JWTSSO01150: JWTSSOSecret: the secret is 12 bytes.* in <Location \/keys>/ ]);
config_bad('short secret at server level', "JWTSSOSecret \"short-secret\"\n",
           [ qr/JWTSSO01150: JWTSSOSecret: the secret is 12 bytes.* in the server config of/ ]);
config_ok('short secret at server level, JWTSSOAllowShortSecret On after it',
          "JWTSSOSecret \"short-secret\"\nJWTSSOAllowShortSecret On\n");
config_bad('short JWTSSOSessionKey', location(extra => 'JWTSSOSessionKey "short-key"'),
           [ qr/JWTSSO01150: JWTSSOSessionKey: the secret is 9 bytes/ ]);
config_ok('short JWTSSOSessionKey, JWTSSOAllowShortSecret On after it',
          location(extra => "JWTSSOSessionKey \"short-key\"\n    JWTSSOAllowShortSecret On"));
config_bad('short JWTSSOIssuerSecret',
           "<Location /idp>\n    SetHandler jwtsso-issuer\n    JWTSSOIssuerSecret \"short-secret\"\n</Location>\n",
           [ qr/JWTSSO01150: JWTSSOIssuerSecret: the secret is 12 bytes/ ]);
config_ok('short JWTSSOIssuerSecret, JWTSSOAllowShortSecret On after it',
          "<Location /idp>\n    SetHandler jwtsso-issuer\n    JWTSSOIssuerSecret \"short-secret\"\n    JWTSSOAllowShortSecret On\n</Location>\n");
{
    # one message for one secret, even when a virtual host inherits it
    my $out = config_bad('short secret at server level, a virtual host',
                         "JWTSSOSecret \"short-secret\"\n<VirtualHost 127.0.0.1:*>\n    ServerName other.test\n</VirtualHost>\n",
                         [ qr/JWTSSO01150/ ]);
    my @n = $out =~ /JWTSSO01150/g;
    is scalar @n, 1, 'short secret inherited by a vhost: said once';
}

# ================================================================ 2. mod_session in the section
my $NO_SESSION = qr/JWTSSO01151: <Location \/app> \(server 127\.0\.0\.1:\d+, \S+httpd\.conf:\d+\) uses AuthType jwtsso, but mod_session would not keep its logins there: 'Session On' is missing \(it is off by default\), so each login would end in a 500\. Add 'Session On' to that section or one around it/;
my $NO_COOKIE = qr/JWTSSO01151: <Location \/app> .* uses AuthType jwtsso, but mod_session would not keep its logins there: a session cookie name is missing, so each login would end in a 500\. Add 'SessionCookieName jwtsso_session path=\/;httponly;secure' to that section/;
{
    my $out = config_bad('no Session On', location(session => 'SessionCookieName jwtsso_session path=/'), [ $NO_SESSION ]);
    my $s = line_of($out, qr/^<Location \/app>/);
    like $out, qr/JWTSSO01151: <Location \/app> \(server [^,]+, \S+httpd\.conf:$s\)/, 'no Session On: names the line of the section';
}
config_bad('no session lines at all', location(session => undef), [ $NO_SESSION ]);
config_bad('Session Off', location(session => "Session Off\n    SessionCookieName jwtsso_session path=/"), [ $NO_SESSION ]);
config_bad('no SessionCookieName', location(session => 'Session On'), [ $NO_COOKIE ]);
config_ok('Session On and the cookie in a parent <Location />',
          "<Location />\n    $SESSION\n</Location>\n" . location(session => undef));
config_ok('Session On at server level, the cookie in the section',
          "Session On\n" . location(session => 'SessionCookieName jwtsso_session path=/'));
config_ok('SessionCookieName at server level', "SessionCookieName jwtsso_session path=/\n" . location(session => 'Session On'));
config_bad('Session On in a parent, Off in the section',
           "<Location />\n    $SESSION\n</Location>\n" . location(session => 'Session Off'), [ $NO_SESSION ]);
config_bad('Session On in another, unrelated <Location>',
           "<Location /other>\n    $SESSION\n</Location>\n" . location(session => undef), [ $NO_SESSION ]);
{
    # a <LocationMatch> is not merged by the walk: what it sets may apply
    my $out = config_ok('Session On in a <LocationMatch>: a warning',
                        "<LocationMatch \"^/a\">\n    $SESSION\n</LocationMatch>\n" . location(session => undef));
    like $out, qr/JWTSSO01152: <Location \/app>/, 'Session On in a <LocationMatch>: JWTSSO01152';
    $out = config_ok('AuthType jwtsso in a <LocationMatch>, Session On in <Location />: a warning',
                     "<Location />\n    $SESSION\n</Location>\n" . location(session => undef) =~ s/<Location \/app>/<LocationMatch "^\/app">/r =~ s/<\/Location>\n\z/<\/LocationMatch>\n/r);
    like $out, qr/JWTSSO01152: <Location \^\/app>/, 'AuthType jwtsso in a <LocationMatch>: JWTSSO01152, not the error';
}
{
    # a <Directory> may be what these URLs map to: a warning, not an error
    my $out = config_ok('Session On only in a <Directory>: a warning',
                        "<Directory /nonexistent-t42>\n    $SESSION\n</Directory>\n" . location(session => undef));
    like $out, qr/JWTSSO01152: <Location \/app> .* 'Session On' is missing .*\(unless a section start-up cannot map to these URLs sets it: a <Directory>, a regex section or an \.htaccess file\)/,
        'Session On only in a <Directory>: JWTSSO01152';
    unlike $out, qr/JWTSSO01151/, 'Session On only in a <Directory>: not the error';
    $out = config_ok('AllowOverride AuthConfig somewhere: a warning',
                     "<Directory /nonexistent-t42>\n    AllowOverride AuthConfig\n</Directory>\n" . location(session => undef));
    like $out, qr/JWTSSO01152: <Location \/app>/, 'AllowOverride AuthConfig: JWTSSO01152';
}
{
    my @no_cookie = grep { !/^session_(?:cookie|crypto)$/ } httpd_modules();
    my $out = config_ok('no store module: JWTSSO00103 alone', location(session => 'Session On'), modules => \@no_cookie);
    unlike $out, qr/JWTSSO0115[12]/, 'no store module: no cookie name asked for';
}

# the login when the walk could not tell: the 500's message names what is missing
{
    my $dirs = "<Directory /nonexistent-t42>\n    $SESSION\n</Directory>\n";
    my $h = httpd_start($dirs
                        . jwtsso_location(path => '/app/nosession', extra => '') =~ s/\n    Session On\n    SessionCookieName[^\n]*\n/\n/r
                        . jwtsso_location(path => '/app/nocookie') =~ s/\n    SessionCookieName[^\n]*\n/\n/r);
    for my $case ([ nosession => qr/JWTSSO00303: cannot keep the login: no session for \/app\/nosession\/x: 'Session On' is not in force here; add it, where AuthType jwtsso is used/ ],
                  [ nocookie => qr/JWTSSO00303: cannot keep the login: no session for \/app\/nocookie\/x: 'Session On' is set, but no session store names a cookie here; add 'SessionCookieName jwtsso_session path=\/;httponly;secure', where AuthType jwtsso is used/ ]) {
        my ($name, $re) = @$case;
        my $mark = -s $h->{error_log} || 0;
        my ($res) = present_at($h->{base}, "/app/$name/x", fresh_token({ sub => 'alice' }));
        is $res->code, 500, "login at /app/$name: 500 (mod_session keeps nothing)";
        my $log = '';
        for (1 .. 20) {
            $log = JWTSSOTest::slurp($h->{error_log});
            last if substr($log, $mark) =~ /JWTSSO00303/;
            select undef, undef, undef, 0.1;
        }
        like substr($log, $mark), $re, "login at /app/$name: the log names the missing directive";
        unlike substr($log, $mark), qr/add 'Session On'.*SessionCookieName/ , "login at /app/$name: not the old message naming both"
            if $name eq 'nocookie';
    }
    httpd_stop($h);
}

# ================================================================ 3. jwtsso-logout with another cookie
sub logout { "<Location /logout>\n    SetHandler jwtsso-logout\n    $_[0]\n</Location>\n" }
{
    my $out = config_ok('logout with another cookie name: a warning',
                        location() . logout("Session On\n    SessionCookieName other_session path=/;httponly"));
    like $out, qr/JWTSSO01153: <Location \/logout> \(server 127\.0\.0\.1:\d+, \S+httpd\.conf:\d+\) runs SetHandler jwtsso-logout with the cookie 'other_session' \(path=\/\), but <Location \/app> keeps its logins in the cookie 'jwtsso_session' \(path=\/\): a logout there would say "logged out" and leave the user logged in\. Give the logout location the same 'Session On' and 'SessionCookieName' line/,
        'logout with another cookie name: JWTSSO01153 names both cookies and the fix';
    $out = config_ok('logout with another cookie path: a warning',
                     location() . logout("Session On\n    SessionCookieName jwtsso_session path=/logout"));
    like $out, qr/JWTSSO01153: <Location \/logout> .* with the cookie 'jwtsso_session' \(path=\/logout\), but <Location \/app> keeps its logins in the cookie 'jwtsso_session' \(path=\/\)/,
        'logout with another cookie path: JWTSSO01153';
    $out = config_ok('logout outside the cookie path: a warning',
                     location(session => "Session On\n    SessionCookieName jwtsso_session path=/app") . logout("Session On\n    SessionCookieName jwtsso_session path=/app"));
    like $out, qr/JWTSSO01153: <Location \/logout>/, 'logout outside the cookie path: JWTSSO01153';
    $out = config_ok('logout without Session On: a warning', location() . logout("SessionCookieName jwtsso_session path=/;httponly"));
    like $out, qr/JWTSSO01153: <Location \/logout> .* with no session \('Session On' is not in force\)/, 'logout without Session On: JWTSSO01153';
    $out = config_ok('logout with the same session: no warning', location() . logout($SESSION));
    unlike $out, qr/JWTSSO01153/, 'logout with the same session: no JWTSSO01153';
    $out = config_ok('logout inheriting the session from <Location />: no warning',
                     "<Location />\n    $SESSION\n</Location>\n" . location(session => undef) . logout(''));
    unlike $out, qr/JWTSSO01153/, 'logout inheriting the session: no JWTSSO01153';
    $out = config_ok('logout under the protected location: no warning',
                     location() . "<Location /app/logout>\n    SetHandler jwtsso-logout\n</Location>\n");
    unlike $out, qr/JWTSSO01153/, 'logout under the protected location: no JWTSSO01153';
}

# ================================================================ 4. return_to and UseCanonicalName
my $PUBLIC = qr/JWTSSO01154: server 127\.0\.0\.1:(\d+): <Location \/app> sends browsers to the IdP with a return_to built from this server's name \(127\.0\.0\.1:\1\), while with UseCanonicalName Off \(httpd's default\) httpd's own URLs follow the Host the browser used.* Set 'JWTSSOPublicURL https:\/\/127\.0\.0\.1' \(the URL browsers use\) in that section or one around it, or 'UseCanonicalName On' with ServerName set to the public name/;
{
    my $out = config_ok('no JWTSSOPublicURL, UseCanonicalName Off: a warning',
                        location() . location(path => '/app2'));
    like $out, $PUBLIC, 'no JWTSSOPublicURL: JWTSSO01154 names the server and the fix';
    my @n = $out =~ /JWTSSO01154/g;
    is scalar @n, 1, 'no JWTSSOPublicURL: one warning for the server, not one per section';
    for my $case ([ 'JWTSSOPublicURL in the section', location(extra => 'JWTSSOPublicURL https://www.example.test') ],
                  [ 'JWTSSOPublicURL in a parent', "<Location />\n    JWTSSOPublicURL https://www.example.test\n</Location>\n" . location() ],
                  [ 'UseCanonicalName On', "UseCanonicalName On\n" . location() ],
                  [ 'JWTSSOUnauthAction 401 (no redirect)', location(extra => 'JWTSSOUnauthAction 401') ]) {
        my ($name, $conf) = @$case;
        $out = config_ok($name, $conf);
        unlike $out, qr/JWTSSO01154/, "$name: no JWTSSO01154";
    }
    $out = config_ok('a virtual host without JWTSSOPublicURL',
                     "UseCanonicalName On\n" . location()
                     . "<VirtualHost 127.0.0.1:*>\n    ServerName vhost.test:8443\n    UseCanonicalName Off\n"
                     . location() =~ s/^/    /mgr . "</VirtualHost>\n");
    like $out, qr/JWTSSO01154: server vhost\.test:8443: <Location \/app>/, 'a virtual host: JWTSSO01154 names it';
    @n = $out =~ /JWTSSO01154/g;
    is scalar @n, 1, 'a virtual host: only it is warned about';
}

# ================================================================ 6. keywords in any case
config_ok('JWTSSOAlgorithms hs256 Hs384 (with a secret)', location(extra => 'JWTSSOAlgorithms hs256 Hs384'));
config_ok('JWTSSOAlgorithms Rs256 eddsa (with public keys)',
          location(extra => 'JWTSSOAlgorithms Rs256 eddsa',
                   secret => join("\n    ", 'JWTSSOVerifyKey ' . pub_key_file('rsa-a'), 'JWTSSOVerifyKey ' . pub_key_file('ed25519'),
                                  qq{JWTSSOSessionKey "$SECRET"})));
# the name in another case is the same algorithm: the key check still applies
config_bad('JWTSSOAlgorithms es256 with only a secret', location(extra => 'JWTSSOAlgorithms es256'),
           [ qr/JWTSSO00101: .*allows ES256 in JWTSSOAlgorithms, which no configured key can verify/ ]);
config_bad('JWTSSOAlgorithms nOnE', location(extra => 'JWTSSOAlgorithms nOnE'),
           [ qr/JWTSSOAlgorithms: 'nOnE' is not an algorithm this module verifies \(unsigned tokens are never accepted\); use HS256/ ]);
config_ok('JWTSSOIssuerAlgorithm hs384',
          "<Location /idp>\n    SetHandler jwtsso-issuer\n    JWTSSOIssuerSecret \"$SECRET\"\n    JWTSSOIssuerAlgorithm hs384\n</Location>\n");
config_bad('JWTSSOIssuerAlgorithm rs256 for a secret',
           "<Location /idp>\n    SetHandler jwtsso-issuer\n    JWTSSOIssuerSecret \"$SECRET\"\n    JWTSSOIssuerAlgorithm rs256\n</Location>\n",
           [ qr/JWTSSOIssuerAlgorithm: the algorithm RS256 .*is not one this key signs with/ ]);
config_ok('off and WORDS in any case',
          location(extra => join "\n    ", 'JWTSSOMaxAge OFF', 'JWTSSOUnauthAction Redirect', 'JWTSSOPassClaims HEADERS'));
# httpd's FLAG takes On/Off in any case: the value really is taken
config_ok('JWTSSOAllowShortSecret oN', location(secret => "JWTSSOSecret \"short-secret\"\n    JWTSSOAllowShortSecret oN"));
config_bad('JWTSSOAllowShortSecret OFF', location(secret => "JWTSSOSecret \"short-secret\"\n    JWTSSOAllowShortSecret OFF"),
           [ $SHORT ]);
config_bad('JWTSSOState yes', location(extra => 'JWTSSOState yes'), [ qr/JWTSSOState must be On or Off/ ]);

# tokens: lower-case algorithm names in the configuration; the token's
# header must still say "HS256" exactly
{
    my $h = httpd_start(jwtsso_location(path => '/app/case', extra => "    JWTSSOAlgorithms hs256\n    JWTSSOMaxAge OFF\n"));
    my ($res) = present_at($h->{base}, '/app/case/x', fresh_token({ sub => 'alice' }));
    is $res->code, 302, 'JWTSSOAlgorithms hs256: an HS256 token logs in';
    ok session_cookie_of($res), 'JWTSSOAlgorithms hs256: a session cookie';
    my $mark = -s $h->{error_log} || 0;
    ($res) = present_at($h->{base}, '/app/case/x', fresh_token({ sub => 'alice' }, header => { alg => 'hs256', typ => 'JWT' }));
    is $res->code, 401, 'a token whose header says "hs256": refused';
    ok !session_cookie_of($res), 'a token whose header says "hs256": no session cookie';
    my $log = '';
    for (1 .. 20) {
        $log = substr(JWTSSOTest::slurp($h->{error_log}), $mark);
        last if $log =~ /token refused/;
        select undef, undef, undef, 0.1;
    }
    like $log, qr/JWTSSO\d+: token refused: alg_unknown/, 'a token whose header says "hs256": alg_unknown in the log';
    httpd_stop($h);
}

# ================================================================ 7. t/bin helpers and file: secrets
{
    my $f = write_file('nl.secret', "$SECRET\r\n\n");
    my $h = httpd_start(jwtsso_location(path => '/app/file', secret => $SECRET, extra => "    JWTSSOMaxAge off\n")
                        =~ s/JWTSSOSecret "[^"]*"/JWTSSOSecret file:$f/r);
    my $now = time;
    # each token its own jti: two libraries can make the very same token,
    # which the replay cache would then refuse the second time
    my %tok = (
        'mktoken.js (jsonwebtoken)' => node_token("file:$f", { sub => 'alice', iat => $now, exp => $now + 600, jti => 't42-js' }),
        'mktoken.py (PyJWT)'        => py_token("file:$f", { sub => 'alice', iat => $now, exp => $now + 600, jti => 't42-py' }),
        (map { ("mktokens $_->[0]" => (sign_tokens($_->[1], { alg => 'HS256', key => "file:$f",
                                                             payload => { sub => 'alice', jti => "t42-$_->[1]" } }))[0]) }
             [ 'jsonwebtoken', 'jsonwebtoken' ], [ 'PyJWT', 'pyjwt' ], [ 'jose', 'jose' ]),
    );
    for my $name (sort keys %tok) {
        my ($res) = present_at($h->{base}, '/app/file/x', $tok{$name});
        is $res->code, 302, "file: secret with a trailing newline, token from $name: logs in";
        ok session_cookie_of($res), "file: secret with a trailing newline, token from $name: a session cookie";
    }
    # the bytes with the newline are another key: such a token is refused
    my $mark = -s $h->{error_log} || 0;
    my ($res) = present_at($h->{base}, '/app/file/x', fresh_token({ sub => 'alice' }, secret => "$SECRET\r\n\n"));
    is $res->code, 401, 'a token signed with the newline as part of the key: refused';
    my $log = '';
    for (1 .. 20) {
        $log = substr(JWTSSOTest::slurp($h->{error_log}), $mark);
        last if $log =~ /token refused/;
        select undef, undef, undef, 0.1;
    }
    like $log, qr/token refused: bad_signature/, 'a token signed with the newline as part of the key: bad_signature';
    httpd_stop($h);
}

# ================================================================ 8. sections start-up does not see
# <If> (like <Files> and .htaccess) is merged per request: start-up checks
# the <Location> around it, the request meets the rest.
{
    my $if = sub { my ($path, $inner, %o) = @_;
                   location(path => $path, extra => 'JWTSSOState Off', %o) =~ s{</Location>\n}{    <If "true">\n        $inner\n    </If>\n</Location>\n}r };
    my $conf = $if->('/app/ifshort', 'JWTSSOSecret "short-secret"')
             . $if->('/app/ifallowed', "JWTSSOSecret \"short-secret\"\n        JWTSSOAllowShortSecret On")
             . "<Location /app/ifauth>\n    AuthName \"t\"\n    JWTSSOAuthEndpoint https://idp.example.test/login\n    $SESSION\n"
             . "    Require valid-user\n    <If \"true\">\n        AuthType jwtsso\n    </If>\n</Location>\n";
    config_ok('secrets and AuthType in <If>: start-up cannot tell', $conf);
    my $h = httpd_start($conf);
    for my $case ([ ifshort => 500, qr/JWTSSO00426: JWTSSOSecret for \/app\/ifshort\/x is 12 bytes; at least 32 are required\. It is at \S+httpd\.conf:\d+, where the start-up check does not look \(<Files>, <If> or \.htaccess\)\. Use a longer one, e.g\. from 'openssl rand -base64 48', or put 'JWTSSOAllowShortSecret On' beside it/ ],
                  [ ifauth  => 500, qr/JWTSSO00413: AuthType jwtsso for \/app\/ifauth\/x has no JWTSSOSecret \(or public key and JWTSSOSessionKey\); configure them/ ],
                  [ ifallowed => 302, undef ]) {
        my ($name, $code, $re) = @$case;
        my $mark = -s $h->{error_log} || 0;
        my ($res) = present_at($h->{base}, "/app/$name/x", fresh_token({ sub => 'alice' }, secret => 'short-secret'));
        is $res->code, $code, "/app/$name: a token signed with the short secret: $code";
        if ($re) {
            my $log = '';
            for (1 .. 20) {
                $log = substr(JWTSSOTest::slurp($h->{error_log}), $mark);
                last if $log =~ /JWTSSO004(?:13|26)/;
                select undef, undef, undef, 0.1;
            }
            like $log, $re, "/app/$name: the log names the directive, where it is and the fix";
            unlike $log, qr/short-secret/, "/app/$name: the secret is not logged";
            unlike $res->content, qr/short-secret|JWTSSO/, "/app/$name: the page tells nothing";
        } else {
            ok session_cookie_of($res), "/app/$name: JWTSSOAllowShortSecret On in the <If>: logs in";
        }
    }
    httpd_stop($h);
}

done_testing();
