# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Require jwtsso-claim (src/httpd/authz.c, src/core/match.c), on the test
# server's <Location /authz/...> (t/conf/authz.conf.in):
#   1. strings, arrays, numbers, booleans, nested paths (Keycloak's
#      realm_access.roles), a claim name with dots ("\."), exact and
#      case-sensitive;
#   2. <RequireAll>, <RequireAny> beside Require user, <RequireNone>,
#      Require not;
#   3. no login: the login redirect or 401 (AUTHZ_DENIED_NO_USER); a
#      refused login: 403 (AuthzSendForbiddenOnFailure On), else httpd's
#      401, each with its log line naming the requirement, never the token;
#   4. bearer tokens (fresh and from the bearer cache);
#   5. claims left out of the record for size refuse, negated or not;
#   6. under AuthType Basic: refused, logged;
#   7. start-up: a requirement without a value or name, a bad claim path.
# Tokens: npm jsonwebtoken (t/bin/mktoken.js).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JSON::PP ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
plan skip_all => 'node or jsonwebtoken not available'
    unless eval { node_token(secret('main'), { sub => 'probe' }); 1 };

my $SECRET = secret('main');
my @HTML = (Accept => 'text/html');

# Keycloak-shaped claims
my %USER = (
    alice => {
        sub => 'alice', department => 'R&D', level => 3, admin => JSON::PP::true(),
        groups => ['/staff', '/staff/ops'],
        realm_access => { roles => ['admin', 'offline_access'] },
        resource_access => { 'app-one' => { roles => ['editor'] } },
        'https://example.com/roles' => ['auditor'],
    },
    bob => {
        sub => 'bob', department => 'r&d', level => '3', admin => JSON::PP::false(),
        groups => ['/staff', '/banned'],
        realm_access => { roles => ['user'] },
        resource_access => { 'app-one' => { roles => ['viewer'] } },
        https => { 'example.com/roles' => ['auditor'] },
        'https://example.com/roles' => [],
    },
    carol => {
        sub => 'carol', department => 'Sales and Marketing', level => 4.5,
        admin => 'true', groups => '/staff/ops',
        realm_access => { roles => 'admin' },
    },
    dave => { sub => 'dave' },
);

sub token { node_token($SECRET, $_[0]) }

# A logged-in user agent (a session from the login at /authz/whoami).
sub login {
    my $name = shift;
    my $claims = shift // $USER{$name};
    my ($res, $ua) = present_token('/authz/whoami', token($claims));
    is $res->code, 302, "login $name: 302" or diag $res->as_string;
    my $next = $ua->get(url('/authz/whoami'));
    is app_vars($next)->{REMOTE_USER}, $name, "login $name: REMOTE_USER";
    return $ua;
}

my %ua = map { $_ => login($_) } qw(alice bob carol dave);

# GET $path as $who: the status, and for 200 that the app saw the user.
sub as_user {
    my ($who, $path, $want, $label) = @_;
    my $res = req($ua{$who}, GET => url($path), @HTML);
    my $ok = is $res->code, $want, "$label: $who at $path: $want";
    diag $res->as_string unless $ok;
    if ($want == 200) {
        is app_vars($res)->{REMOTE_USER}, $who, "$label: $who: the app sees REMOTE_USER";
    }
    return $res;
}

# ------------------------------------------------------------------ 1. values

as_user(alice => '/authz/dept', 200, 'string');
as_user(carol => '/authz/dept', 200, 'string, a value with spaces');
as_user(bob   => '/authz/dept', 403, 'string, case differs');
as_user(dave  => '/authz/dept', 403, 'string, no such claim');

as_user(bob   => '/authz/case', 200, 'case-sensitive: r&d');
as_user(alice => '/authz/case', 403, 'case-sensitive: R&D is not r&d, R no prefix');

as_user(alice => '/authz/group', 200, 'array contains');
as_user(bob   => '/authz/group', 403, 'array without the value');
as_user(carol => '/authz/group', 200, 'a string claim equal to the value');

as_user(alice => '/authz/level', 200, 'number 3');
as_user(bob   => '/authz/level', 200, 'the string "3" equals the text 3');
as_user(carol => '/authz/level', 403, 'number 4.5 is not 3');

as_user(alice => '/authz/admin', 200, 'boolean true');
as_user(bob   => '/authz/admin', 403, 'boolean false');
as_user(carol => '/authz/admin', 200, 'the string "true"');

as_user(alice => '/authz/role', 200, 'nested realm_access.roles');
as_user(bob   => '/authz/role', 403, 'nested, without admin');
as_user(carol => '/authz/role', 200, 'nested, a string');
as_user(dave  => '/authz/role', 403, 'nested, no realm_access');

as_user(alice => '/authz/client', 200, 'three levels: resource_access.app-one.roles');
as_user(bob   => '/authz/client', 403, 'three levels, another role');

as_user(alice => '/authz/dotted', 200, 'a name with dots, escaped');
as_user(bob   => '/authz/dotted', 403, 'escaped: the nested https.example.com/roles does not count');

# ------------------------------------------------------------------ 2. combinations

as_user(alice => '/authz/all', 200, 'RequireAll: role and level');
as_user(carol => '/authz/all', 403, 'RequireAll: role, but level 4.5 is neither 3 nor 4');
as_user(bob   => '/authz/all', 403, 'RequireAll: no role');

as_user(alice => '/authz/any', 200, 'RequireAny: by the claim');
as_user(bob   => '/authz/any', 200, 'RequireAny: by Require user bob');
as_user(dave  => '/authz/any', 403, 'RequireAny: neither');

as_user(alice => '/authz/none', 200, 'RequireNone: not in /banned');
as_user(bob   => '/authz/none', 403, 'RequireNone: in /banned');
as_user(dave  => '/authz/none', 200, 'RequireNone: no groups claim');

as_user(alice => '/authz/not', 200, 'Require not: not in /banned');
as_user(bob   => '/authz/not', 403, 'Require not: in /banned');

# ------------------------------------------------------------------ 3. answers and log lines

{
    my $mark = error_log_mark();
    my $res = as_user(bob => '/authz/group', 403, 'log');
    my $log = error_log_since($mark, qr/JWTSSO00901/);
    like $log, qr/\[auth_jwtsso:info\] .*JWTSSO00901: user 'bob' refused by Require jwtsso-claim groups \/staff\/ops: the claim has none of these values/,
        'log: JWTSSO00901 at info names the user, the claim and the values';
    unlike $log, qr/eyJ/, 'log: no token';
    unlike $res->content, qr/eyJ/, '403 body: no token';

    $mark = error_log_mark();
    as_user(dave => '/authz/dept', 403, 'log, missing');
    $log = error_log_since($mark, qr/JWTSSO00902/);
    like $log, qr/JWTSSO00902: user 'dave' refused by Require jwtsso-claim department R&D Sales and Marketing: the login has no such claim/,
        'log: JWTSSO00902 for a missing claim';

    $mark = error_log_mark();
    $res = as_user(bob => '/authz/401', 401, 'AuthzSendForbiddenOnFailure Off');
    $log = error_log_since($mark, qr/JWTSSO00908/);
    like $log, qr/JWTSSO00901: user 'bob' refused by Require jwtsso-claim admin true/,
        '401: the refusal logged';
    like $log, qr/JWTSSO00908: user 'bob' refused by authorization for \/authz\/401: answered 401; 'AuthzSendForbiddenOnFailure On' makes it a 403/,
        '401: JWTSSO00908 names the fix';
    unlike $log, qr/AH0057[12]/, '401: no "AuthType without module" error from httpd';
    as_user(alice => '/authz/401', 200, 'AuthzSendForbiddenOnFailure Off, granted');

    my $anon = ua();
    $res = req($anon, GET => url('/authz/login'), @HTML);
    is $res->code, 302, 'no login, a page: the login redirect';
    like $res->header('Location') // '', qr{^https://idp\.example\.test/login\?client=t&return_to=},
        'no login: to the IdP';
    $res = req($anon, GET => url('/authz/login'), Accept => 'application/json');
    is $res->code, 401, 'no login, an API call: 401';
    $res = req($anon, GET => url('/authz/group'), @HTML);
    is $res->code, 302, 'no login under RequireAll of jwtsso-claim: the login redirect';
    $res = req($anon, GET => url('/authz/none'), @HTML);
    is $res->code, 302, 'no login, RequireNone: the login redirect (valid-user asks for one)';
}

# ------------------------------------------------------------------ 4. bearer tokens

{
    my %bt = map { $_ => node_token($SECRET, $USER{$_}, { expiresIn => 300 }) } qw(alice bob);
    my $mark = error_log_mark();
    my $anon = ua();
    my (%codes, %users);
    for my $i (1 .. 8) {
        for my $who (qw(alice bob)) {
            my $res = req($anon, GET => url('/authz/bearer'), Authorization => "Bearer $bt{$who}");
            $codes{$who}{$res->code}++;
            $users{$who}{app_vars($res)->{REMOTE_USER} // ''}++ if $res->code == 200;
        }
    }
    is_deeply $codes{alice}, { 200 => 8 }, 'bearer: alice (realm_access.roles admin) 8 x 200';
    is_deeply $users{alice}, { alice => 8 }, 'bearer: the app sees alice';
    is_deeply $codes{bob}, { 403 => 8 }, 'bearer: bob 8 x 403';
    my $log = error_log_since($mark, qr/JWTSSO00901/);
    like $log, qr/JWTSSO00421: bearer token of user 'alice' verified before/,
        'bearer: some requests answered from the bearer cache (claims without types)';
    like $log, qr/JWTSSO00901: user 'bob' refused by Require jwtsso-claim realm_access\.roles admin/,
        'bearer: the refusal logged';
    unlike $log, qr/\Q$bt{bob}\E|\Q$bt{alice}\E/, 'bearer: no token in the log';

    my $res = req($anon, GET => url('/authz/bearer'));
    is $res->code, 401, 'bearer: no token: 401';
    like $res->header('WWW-Authenticate') // '', qr/^Bearer /, 'bearer: no token: a Bearer challenge';
    $res = req($anon, GET => url('/authz/bearer-group'), Authorization => "Bearer $bt{alice}");
    is $res->code, 200, 'bearer: an array claim';
    $res = req($anon, GET => url('/authz/bearer-group'), Authorization => "Bearer $bt{bob}");
    is $res->code, 403, 'bearer: an array claim without the value';
}

# ------------------------------------------------------------------ 5. claims left out for size

{
    # 400 groups (about 4 KiB) do not fit in a record (2048 bytes of claims)
    my %big = (%{ $USER{bob} }, sub => 'erin', admin => JSON::PP::true(),
               groups => [ '/banned', map { sprintf '/group-%04d', $_ } 1 .. 400 ]);
    $ua{erin} = login(erin => \%big);
    my $res = req($ua{erin}, GET => url('/authz/whoami'), @HTML);
    is app_vars($res)->{JWTSSO_CLAIMS_TRUNCATED}, '1', 'truncated: the record left claims out';
    is app_vars($res)->{JWTSSO_CLAIM_ADMIN}, 'true', 'truncated: admin kept';
    my $mark = error_log_mark();
    as_user(erin => '/authz/group', 403, 'truncated: a claim left out is no grant');
    as_user(erin => '/authz/none', 403, 'truncated: nor passes RequireNone');
    as_user(erin => '/authz/not', 403, 'truncated: nor passes Require not');
    as_user(erin => '/authz/admin', 200, 'truncated: a kept claim still works');
    my $log = error_log_since($mark, qr/JWTSSO00903[^\n]*\n[^\n]*JWTSSO00903[^\n]*\n[^\n]*JWTSSO00903/);
    my @lines = $log =~ /(JWTSSO00903: [^\n]*)/g;
    is scalar(@lines), 3, 'truncated: three JWTSSO00903 lines';
    like $lines[0] // '', qr/JWTSSO00903: user 'erin' refused by Require jwtsso-claim groups \/staff\/ops: the claim is not in the login's record, which left claims out for size \(over 2048 bytes; JWTSSO_CLAIMS_TRUNCATED\): have the IdP send fewer or smaller claims/,
        'truncated: the line says why and the fix';
    like $log, qr/\[auth_jwtsso:warn\] [^\n]*JWTSSO00903/, 'truncated: at warn';
}

# ------------------------------------------------------------------ 6. not a jwtsso login

{
    my $mark = error_log_mark();
    my $res = req(ua(), GET => url('/authz-basic'));
    is $res->code, 403, 'AuthType Basic: refused';
    my $log = error_log_since($mark, qr/JWTSSO00905/);
    like $log, qr/JWTSSO00905: Require jwtsso-claim admin true refuses \/authz-basic: only a login under AuthType jwtsso has claims, and this is AuthType Basic/,
        'AuthType Basic: JWTSSO00905 says why';
}

# ------------------------------------------------------------------ 7. start-up

sub section {
    my $require = shift;
    return "<Location /app>\n    AuthType jwtsso\n    AuthName \"t\"\n"
         . "    JWTSSOAuthEndpoint https://idp.example.test/login\n"
         . "    JWTSSOSecret \"$SECRET\"\n"
         . "    Session On\n    SessionCookieName jwtsso_session path=/;httponly\n"
         . "    SessionMaxAge 0\n$require\n</Location>\n";
}

config_ok('a good requirement', section(
    "    <RequireAny>\n    Require jwtsso-claim realm_access.roles admin\n"
  . "    Require jwtsso-claim https://example\\.com/roles a \"b c\"\n    </RequireAny>"));
config_bad('no value', section('    Require jwtsso-claim groups'),
           [ qr/Require jwtsso-claim groups: no value; name the values that grant access: Require jwtsso-claim NAME VALUE\.\.\./ ]);
config_bad('no name', section('    Require jwtsso-claim'),
           [ qr/Require jwtsso-claim needs a claim name and at least one value/ ]);
config_bad('no value, in RequireAll', section("    <RequireAll>\n    Require valid-user\n    Require jwtsso-claim admin\n    </RequireAll>"),
           [ qr/Require jwtsso-claim admin: no value/ ]);
config_bad('an empty value', section('    Require jwtsso-claim groups ""'),
           [ qr/Require jwtsso-claim groups: an empty value/ ]);
config_bad('an empty name in a path', section('    Require jwtsso-claim realm_access..roles admin'),
           [ qr/the claim 'realm_access\.\.roles' has an empty name between dots; write nested claims as 'realm_access\.roles', and a dot inside a claim's name with a backslash before it/ ]);
config_bad('a bad escape', section('    Require jwtsso-claim a\\b admin'),
           [ qr/the claim 'a\\+b' has a backslash before something other than a dot or a backslash/ ]);

done_testing();
