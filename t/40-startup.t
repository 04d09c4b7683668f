# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Start-up errors: each bad configuration stops `httpd -t` (and a start)
# with a non-zero exit and a message naming the directive and the fix.
# Each case is a small configuration of its own (JWTSSOTest::httpd_configtest);
# the test server of the other .t files is not involved.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Temp ();
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso.so not built (' . module_path() . ')' unless -e module_path();

my $SECRET = secret('main');

# A protected <Location /app>; %o replaces or removes (undef) lines.
sub location {
    my %o = @_;
    my %line = (
        authtype => 'AuthType jwtsso',
        authname => 'AuthName "t"',
        endpoint => 'JWTSSOAuthEndpoint https://idp.example.test/login',
        secret   => qq{JWTSSOSecret "$SECRET"},
        session  => "Session On\n    SessionCookieName jwtsso_session path=/;httponly\n    SessionMaxAge 0",
        require  => 'Require valid-user',
        extra    => '',
    );
    for my $k (keys %o) {
        $line{$k} = $o{$k};
    }
    my @order = qw(extra authtype authname endpoint secret session require);
    return "<Location /app>\n" . join('', map { "    $_\n" } grep { defined && length } @line{@order})
         . "</Location>\n";
}

# config_ok / config_bad: t/lib/JWTSSOTest.pm

# ------------------------------------------------------------------ a good configuration

config_ok('good', location());
{
    my $out = config_ok('good, started', location(), start => 1);
    like $out, qr/resuming normal operations/, 'good, started: the server really started';
    unlike $out, qr/\[(?:crit|emerg|alert)\]/i, 'good, started: nothing critical in its log';
}

# ------------------------------------------------------------------ sections that lack something

config_bad('no JWTSSOSecret', location(secret => undef),
           [ qr/JWTSSO00101: <Location \/app> .*uses AuthType jwtsso but has no key to verify tokens with; add e\.g\. 'JWTSSOSecret file:.*or 'JWTSSOVerifyKey / ]);
config_bad('no JWTSSOAuthEndpoint', location(endpoint => undef),
           [ qr/JWTSSO00101: <Location \/app> .*uses AuthType jwtsso but has no JWTSSOAuthEndpoint; add e\.g\. 'JWTSSOAuthEndpoint https:\/\/[^']+', or set JWTSSOUnauthAction 401/ ]);
config_ok('no JWTSSOAuthEndpoint, JWTSSOUnauthAction 401',
          location(endpoint => undef, extra => 'JWTSSOUnauthAction 401'));
config_bad('no JWTSSOAuthEndpoint, JWTSSOUnauthAction redirect',
           location(endpoint => undef, extra => 'JWTSSOUnauthAction redirect'),
           [ qr/JWTSSO00101: .*has no JWTSSOAuthEndpoint/ ]);
config_ok('secret in a parent <Location />',
          qq{<Location />\n    JWTSSOSecret "$SECRET"\n</Location>\n} . location(secret => undef));
config_ok('endpoint and secret in a parent <Location />',
          qq{<Location />\n    JWTSSOSecret "$SECRET"\n    JWTSSOAuthEndpoint https://idp.example.test/login\n</Location>\n}
          . location(secret => undef, endpoint => undef));

# ------------------------------------------------------------------ secrets

config_bad('short secret', location(secret => 'JWTSSOSecret "short-secret"'),
           [ qr/JWTSSOSecret: the secret is 12 bytes; at least 32 are required/,
             qr/put 'JWTSSOAllowShortSecret On' in that section or one around it \(before or after the secret\)/ ]);
config_ok('short secret after JWTSSOAllowShortSecret On',
          location(secret => "JWTSSOAllowShortSecret On\n    JWTSSOSecret \"short-secret\""));
# the order of the two lines does not matter (issue 14; t/42-startup-mistakes.t)
config_ok('short secret before JWTSSOAllowShortSecret On',
          location(secret => "JWTSSOSecret \"short-secret\"\n    JWTSSOAllowShortSecret On"));
config_ok('base64: short secret with JWTSSOAllowShortSecret On',
          location(secret => "JWTSSOAllowShortSecret On\n    JWTSSOSecret base64:c2hvcnQ="));

{
    my $dir = File::Temp::tempdir('jwtsso-secret-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $missing = "$dir/missing.secret";
    config_bad('file: of a missing file', location(secret => "JWTSSOSecret file:$missing"),
               [ qr/JWTSSOSecret: cannot read \Q$missing\E \(No such file or directory\)/,
                 qr/make the file exist and readable by the user that starts httpd/ ]);

    my $good = "$dir/good.secret";
    open my $fh, '>', $good or die "$good: $!";
    print $fh "$SECRET\n";
    close $fh;
    config_ok('file: of a readable file', location(secret => "JWTSSOSecret file:$good"));

    my $locked = "$dir/locked.secret";
    open $fh, '>', $locked or die "$locked: $!";
    print $fh "$SECRET\n";
    close $fh;
    chmod 0000, $locked or die "chmod $locked: $!";
    SKIP: {
        skip 'running as root: a mode 000 file is readable', 4 if $> == 0;
        config_bad('file: of an unreadable file (mode 000)', location(secret => "JWTSSOSecret file:$locked"),
                   [ qr/JWTSSOSecret: cannot read \Q$locked\E \(Permission denied\)/,
                     qr/make the file exist and readable by the user that starts httpd/ ]);
    }
    chmod 0600, $locked;

    my $empty = "$dir/empty.secret";
    open $fh, '>', $empty or die "$empty: $!";
    print $fh "\n";
    close $fh;
    config_bad('file: of a file with only a newline', location(secret => "JWTSSOSecret file:$empty"),
               [ qr/JWTSSOSecret: the secret is empty/ ]);
}

{
    my $var = 'JWTSSO_T40_SECRET';
    delete local $ENV{$var};
    config_bad('env: of an unset variable', location(secret => "JWTSSOSecret env:$var"),
               [ qr/JWTSSOSecret: the environment variable '$var' is not set or empty; set it for httpd/ ]);
    local $ENV{$var} = $SECRET;
    config_ok('env: of a set variable (httpd -t inherits %ENV)', location(secret => "JWTSSOSecret env:$var"));
    local $ENV{$var} = 'short';
    config_bad('env: of a short secret', location(secret => "JWTSSOSecret env:$var"),
               [ qr/JWTSSOSecret: the secret is 5 bytes/ ]);
}

config_bad('base64: with bad characters', location(secret => 'JWTSSOSecret base64:not*base64!!'),
           [ qr/JWTSSOSecret: the value after base64: is not base64; write base64:\$\(openssl rand -base64 48\)/ ]);
config_ok('base64: of 48 bytes', location(secret => 'JWTSSOSecret base64:' . ('QUJD' x 16)));
# both alphabets, padding optional; the length says what was decoded
for my $case ([ 'standard alphabet', '+/+/+/+/+/+/+/+/', 12 ], [ 'URL-safe alphabet', '-_-_-_-_-_-_-_-_', 12 ],
              [ 'unpadded', 'c2hvcnQ', 5 ], [ 'padded', 'c2hvcnQ=', 5 ], [ 'two pad characters', 'c2hvcg==', 4 ]) {
    my ($name, $text, $n) = @$case;
    config_bad("base64: $name ($text)", location(secret => "JWTSSOSecret base64:$text"),
               [ qr/JWTSSOSecret: the secret is $n bytes/ ]);
}
for my $case ([ 'too much padding', 'c2hvcnQ==' ], [ 'padding after a whole group', 'QUJD=' ],
              [ 'a length of 1 mod 4', 'QUJDQ' ], [ 'padding inside', 'QU=JD' ]) {
    my ($name, $text) = @$case;
    config_bad("base64: $name ($text)", location(secret => "JWTSSOSecret base64:$text"),
               [ qr/JWTSSOSecret: the value after base64: is not base64/ ]);
}

# ------------------------------------------------------------------ mod_session

{
    my @mods = grep { !/^session/ } httpd_modules();
    config_bad('mod_session not loaded', location(session => undef),
               [ qr/JWTSSO00102: AuthType jwtsso keeps its logins in mod_session, which is not loaded/,
                 qr/a2enmod session_cookie/ ],
               modules => \@mods);
    my @no_cookie = grep { !/^session_(?:cookie|crypto)$/ } httpd_modules();
    my $out = config_ok('mod_session without a store: a warning only', location(session => 'Session On'),
                        modules => \@no_cookie);
    like $out, qr/JWTSSO00103: neither mod_session_cookie nor mod_session_dbd is loaded/,
        'mod_session without a store: JWTSSO00103';
}

# ------------------------------------------------------------------ bad values

my @bad = (
    [ 'JWTSSOMaxAge abc', qr/JWTSSOMaxAge: 'abc' is not a whole number of seconds from 1 to 31536000, or off/ ],
    [ 'JWTSSOMaxAge -1', qr/JWTSSOMaxAge: '-1' is not a whole number of seconds from 1 to 31536000, or off/ ],
    [ 'JWTSSOMaxAge 0', qr/JWTSSOMaxAge: '0' is not a whole number/ ],
    [ 'JWTSSOClockSkew 99999', qr/JWTSSOClockSkew: '99999' is not a whole number of seconds from 0 to 3600/ ],
    [ 'JWTSSOSessionMaxAge 0', qr/JWTSSOSessionMaxAge: '0' is not a whole number of seconds from 1 to/ ],
    [ 'JWTSSOMaxTokenSize 100', qr/JWTSSOMaxTokenSize: '100' is not a size in bytes from 256 to 65536/ ],
    [ 'JWTSSOUnauthAction maybe', qr/JWTSSOUnauthAction: 'maybe' is not one of auto, redirect, 401, pass/ ],
    [ 'JWTSSOPassClaims all', qr/JWTSSOPassClaims: 'all' is not one of env, headers, both, none/ ],
    [ 'JWTSSOState yes', qr/JWTSSOState must be On or Off/ ],
    [ 'JWTSSOClockSkew 5s', qr/JWTSSOClockSkew: '5s' is not a whole number of seconds from 0 to 3600/ ],
    [ 'JWTSSOClockSkew ""', qr/JWTSSOClockSkew takes one argument/ ],
    [ 'JWTSSOMaxAge 31536001', qr/JWTSSOMaxAge: '31536001' is not a whole number of seconds from 1 to 31536000, or off/ ],
    [ 'JWTSSOSessionMaxAge off', qr/JWTSSOSessionMaxAge: 'off' is not a whole number of seconds from 1 to 31536000(?!, or off)/ ],
    [ 'JWTSSOMaxTokenSize 65537', qr/JWTSSOMaxTokenSize: '65537' is not a size in bytes from 256 to 65536/ ],
    [ 'JWTSSOPublicURL ftp://x', qr{JWTSSOPublicURL: 'ftp://x' is not of the form scheme://host\[:port\]\[/mount\]; write e\.g\. https://www\.example\.com} ],
    [ 'JWTSSOPublicURL https://u@host', qr{JWTSSOPublicURL: 'https://u\@host' is not of the form scheme://host} ],
    [ 'JWTSSOPublicURL https://host/?q=1', qr{JWTSSOPublicURL: 'https://host/\?q=1' is not of the form} ],
    [ 'JWTSSOAuthEndpoint not-a-url', qr{JWTSSOAuthEndpoint: 'not-a-url' is not an absolute http\(s\) URL or a path starting with '/'; write e\.g\. https://idp\.example\.com/login} ],
    [ 'JWTSSOAuthEndpoint //idp.example.test/login', qr{JWTSSOAuthEndpoint: '//idp\.example\.test/login' is not an absolute} ],
    # a browser reads "/\host" as "//host": another site, not a path (httpd
    # doubles the backslash in its message)
    [ 'JWTSSOAuthEndpoint /\\idp.example.test/login', qr{JWTSSOAuthEndpoint: '/\\+idp\.example\.test/login' is not an absolute} ],
    [ 'JWTSSOAuthEndpoint https://idp.example.test/login#x', qr{JWTSSOAuthEndpoint: 'https://idp\.example\.test/login#x' is not an absolute} ],
    [ 'JWTSSOLogoutRedirect /\\idp.example.test/', qr{JWTSSOLogoutRedirect: '/\\+idp\.example\.test/' is not an absolute http\(s\) URL or a path starting with '/'; write e\.g\. https://idp\.example\.com/logout} ],
    [ 'JWTSSOLogoutRedirect ftp://idp.example.test/', qr{JWTSSOLogoutRedirect: 'ftp://idp\.example\.test/' is not an absolute} ],
    [ 'JWTSSOIssuer a b', qr/JWTSSOIssuer takes one argument/ ],
    [ 'JWTSSOTokenParam "a b"', qr/JWTSSOTokenParam: 'a b' is not a plain name; use letters, digits, '_', '-' and '\.'/ ],
    [ 'JWTSSOReturnParam "x&y"', qr/JWTSSOReturnParam: 'x&y' is not a plain name/ ],
    # an empty quoted argument is no argument to httpd's parser
    [ 'JWTSSOUserClaim ""', qr/JWTSSOUserClaim takes one argument/ ],
    [ 'JWTSSOUserClaim "a/b"', qr/JWTSSOUserClaim: 'a\/b' is not a plain name/ ],
);
for my $b (@bad) {
    my ($line, $re) = @$b;
    config_bad($line, location(extra => $line), [ $re, qr/Syntax error on line \d+/ ]);
}

# and the same values in their valid forms
config_ok('good values',
          location(extra => join "\n    ", 'JWTSSOMaxAge off', 'JWTSSOClockSkew 3600',
                   'JWTSSOUnauthAction PASS', 'JWTSSOPublicURL https://www.example.test:8443/mount/',
                   'JWTSSOTokenParam id_token', 'JWTSSOUserClaim preferred_username',
                   'JWTSSOSessionMaxAge 60', 'JWTSSOMaxTokenSize 256', 'JWTSSOClockSkew 0',
                   'JWTSSOPassClaims Both', 'JWTSSOState off', 'JWTSSOAcceptBearer On',
                   'JWTSSOBearerCache Off', 'JWTSSOTrustForwarded On', 'JWTSSOStripHeaders Off',
                   'JWTSSOLogoutRedirect https://idp.example.test/logout#done',
                   'JWTSSOIssuer https://idp.example.test', 'JWTSSOAudience app',
                   'JWTSSOBearerAudience api', 'JWTSSOReturnParam next'));

# ------------------------------------------------------------------ a directive twice, and merges

# the last of two lines wins, Off after On too
config_bad('JWTSSOAllowShortSecret On, then Off: a short secret is refused',
           location(secret => "JWTSSOAllowShortSecret On\n    JWTSSOAllowShortSecret Off\n    JWTSSOSecret \"short-secret\""),
           [ qr/JWTSSOSecret: the secret is 12 bytes/ ]);
config_ok('JWTSSOAllowShortSecret Off, then On: a short secret is accepted',
          location(secret => "JWTSSOAllowShortSecret Off\n    JWTSSOAllowShortSecret On\n    JWTSSOSecret \"short-secret\""));
config_bad('JWTSSOUnauthAction 401, then auto: the endpoint is needed again',
           location(endpoint => undef, extra => "JWTSSOUnauthAction 401\n    JWTSSOUnauthAction auto"),
           [ qr/JWTSSO00101: .*has no JWTSSOAuthEndpoint/ ]);

# a child inherits what it does not set, and can set the default back
my $parent_401 = "<Location />\n    JWTSSOUnauthAction 401\n</Location>\n";
config_ok('JWTSSOUnauthAction 401 in a parent: inherited', $parent_401 . location(endpoint => undef));
config_bad('JWTSSOUnauthAction 401 in a parent, auto in the child: the default set back',
           $parent_401 . location(endpoint => undef, extra => 'JWTSSOUnauthAction auto'),
           [ qr/JWTSSO00101: <Location \/app> .*has no JWTSSOAuthEndpoint/ ]);
config_ok('JWTSSOUnauthAction 401 in a parent, other directives in the child: still inherited',
          $parent_401 . location(endpoint => undef, extra => "JWTSSOClockSkew 10\n    JWTSSOState Off"));

done_testing();
