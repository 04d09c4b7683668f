# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Public keys through the running httpd: kid selection in a JWKS, key
# rotation, a certificate as key, iss and aud, the HS/RS confusion attack,
# alg none, and ECDSA signatures that must never verify (the "psychic
# signature" r = s = 0, r = s = n, a DER signature).
#
# Scenarios (t/conf/jwtsso.conf.in, all JWTSSOState Off, max age 60 s):
# /app/pk/ holds only rsa-a's public key and a JWTSSOSessionKey (its key set
# replaces /app/'s secret); its children /app/pk/rsa (inherits), cert,
# es256, es384, es521, ed, jwks (k-rsa = rsa-a, k-ec = ec256, k-ed =
# ed25519), rotate (rsa-a and rsa-b without kid), rotkid (rsa-a "old",
# rsa-b "new"), iss (https://idp.test), aud (app-one), all (every public key
# and the main secret). Keys: t/keys/ (t/TEST.PL); rsa-c is in no scenario.
# Tokens are signed by the npm package jose (t/bin/mktoken-jose.mjs) with
# iat = now and exp = now + 1 h, unless said otherwise.
#
# Accepted: 302 to the same URL without the token, a session cookie, the
# login line with the alg, then REMOTE_USER through the session. Refused:
# 401, no session cookie, JWTSSO<200 + reason> in the error_log.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $MAIN = secret('main');
my %KEY = map { $_ => 'file:' . key_file($_) } qw(rsa-a rsa-b rsa-c ec256 ec384 ec521 ed25519);

sub now { return time() + 0 }

# job(ALG, KEYNAME|SECRET, SUB, header => {...}, payload => {...})
sub job {
    my ($alg, $key, $sub, %o) = @_;
    return { alg => $alg, key => $KEY{$key} // $key,
             payload => { sub => $sub, %{ $o{payload} || {} } },
             ($o{header} ? (header => $o{header}) : ()) };
}

# Sign a list of [name => job] with jose in one process: name => token.
sub jose_tokens {
    my @pairs = @_;
    my @names = map { $pairs[2 * $_] } 0 .. $#pairs / 2;
    my @jobs  = map { $pairs[2 * $_ + 1] } 0 .. $#pairs / 2;
    my %t;
    @t{@names} = sign_tokens('jose', @jobs);
    return \%t;
}

# An unsigned or hand-signed token: header and payload as given.
sub hand_token {
    my ($header, $payload, $sig) = @_;
    return raw_token(header => $header, payload => $payload, signature => $sig);
}

# ------------------------------------------------------------------ kid selection: the JWKS

{
    my $t = jose_tokens(
        rsa      => job('RS256', 'rsa-a', 'jwks-rsa', header => { kid => 'k-rsa' }),
        ps       => job('PS256', 'rsa-a', 'jwks-ps', header => { kid => 'k-rsa' }),
        ec       => job('ES256', 'ec256', 'jwks-ec', header => { kid => 'k-ec' }),
        ed       => job('EdDSA', 'ed25519', 'jwks-ed', header => { kid => 'k-ed' }),
        other    => job('RS256', 'rsa-b', 'mallory', header => { kid => 'k-rsa' }),
        ec_as_rsa => job('ES256', 'ec256', 'mallory', header => { kid => 'k-rsa' }),
        ed_as_ec => job('EdDSA', 'ed25519', 'mallory', header => { kid => 'k-ec' }),
        unknown  => job('RS256', 'rsa-a', 'mallory', header => { kid => 'k-nope' }),
        rsa_nokid => job('RS256', 'rsa-a', 'nokid-rsa'),
        ec_nokid => job('ES256', 'ec256', 'nokid-ec'),
        ed_nokid => job('EdDSA', 'ed25519', 'nokid-ed'),
    );
    my $p = '/app/pk/jwks/x';
    token_accepted('JWKS: RS256, kid k-rsa', $p, $t->{rsa}, 'jwks-rsa', alg => 'RS256');
    token_accepted('JWKS: PS256 with the same RSA key, kid k-rsa', $p, $t->{ps}, 'jwks-ps', alg => 'PS256');
    token_accepted('JWKS: ES256, kid k-ec', $p, $t->{ec}, 'jwks-ec', alg => 'ES256');
    token_accepted('JWKS: EdDSA, kid k-ed', $p, $t->{ed}, 'jwks-ed', alg => 'EdDSA');
    token_refused('JWKS: RS256 by rsa-b with kid k-rsa (rsa-a\'s)', $p, $t->{other}, 'bad_signature');
    # a kid that names a key of another kind selects nothing: that key is
    # never tried with this alg, and no key of the token's kind has the kid
    token_refused('JWKS: ES256 by ec256 (k-ec) with kid k-rsa', $p, $t->{ec_as_rsa}, 'unknown_kid');
    token_refused('JWKS: EdDSA by ed25519 (k-ed) with kid k-ec', $p, $t->{ed_as_ec}, 'unknown_kid');
    token_refused('JWKS: kid k-nope', $p, $t->{unknown}, 'unknown_kid');
    # no kid: the keys of the token's kind are tried
    token_accepted('JWKS: RS256 without kid', $p, $t->{rsa_nokid}, 'nokid-rsa', alg => 'RS256');
    token_accepted('JWKS: ES256 without kid', $p, $t->{ec_nokid}, 'nokid-ec', alg => 'ES256');
    token_accepted('JWKS: EdDSA without kid', $p, $t->{ed_nokid}, 'nokid-ed', alg => 'EdDSA');
}

# ------------------------------------------------------------------ rotation

{
    my $t = jose_tokens(
        old     => job('RS256', 'rsa-a', 'rot-old'),
        new     => job('RS256', 'rsa-b', 'rot-new'),
        new_ps  => job('PS512', 'rsa-b', 'rot-new-ps'),
        new_kid => job('RS256', 'rsa-b', 'rot-any-kid', header => { kid => 'whatever' }),
        third   => job('RS256', 'rsa-c', 'mallory'),
        k_old   => job('RS256', 'rsa-a', 'rk-old', header => { kid => 'old' }),
        k_new   => job('RS256', 'rsa-b', 'rk-new', header => { kid => 'new' }),
        k_swap  => job('RS256', 'rsa-b', 'mallory', header => { kid => 'old' }),
        k_third => job('RS256', 'rsa-c', 'mallory', header => { kid => 'new' }),
        k_none  => job('RS256', 'rsa-b', 'mallory', header => { kid => 'k-x' }),
        k_nokid => job('RS256', 'rsa-b', 'rk-nokid'),
    );
    my $p = '/app/pk/rotate/x';
    token_accepted('rotation: the old key (rsa-a)', $p, $t->{old}, 'rot-old', alg => 'RS256');
    token_accepted('rotation: the new key (rsa-b)', $p, $t->{new}, 'rot-new', alg => 'RS256');
    token_accepted('rotation: the new key, PS512', $p, $t->{new_ps}, 'rot-new-ps', alg => 'PS512');
    token_accepted('rotation: a kid, keys without kid', $p, $t->{new_kid}, 'rot-any-kid', alg => 'RS256');
    token_refused('rotation: a third key (rsa-c)', $p, $t->{third}, 'bad_signature');

    $p = '/app/pk/rotkid/x';
    token_accepted('rotation with kids: kid old, rsa-a', $p, $t->{k_old}, 'rk-old', alg => 'RS256');
    token_accepted('rotation with kids: kid new, rsa-b', $p, $t->{k_new}, 'rk-new', alg => 'RS256');
    token_refused('rotation with kids: kid old, signed by rsa-b', $p, $t->{k_swap}, 'bad_signature');
    token_refused('rotation with kids: kid new, signed by rsa-c', $p, $t->{k_third}, 'bad_signature');
    token_refused('rotation with kids: kid k-x', $p, $t->{k_none}, 'unknown_kid');
    token_accepted('rotation with kids: no kid, rsa-b', $p, $t->{k_nokid}, 'rk-nokid', alg => 'RS256');
}

# ------------------------------------------------------------------ a certificate as key

{
    my $t = jose_tokens(
        rs   => job('RS256', 'rsa-a', 'cert-rs'),
        ps   => job('PS384', 'rsa-a', 'cert-ps'),
        b    => job('RS256', 'rsa-b', 'mallory'),
        es   => job('ES256', 'ec256', 'mallory'),
    );
    my $p = '/app/pk/cert/x';
    token_accepted('certificate: RS256 by its key', $p, $t->{rs}, 'cert-rs', alg => 'RS256');
    token_accepted('certificate: PS384 by its key', $p, $t->{ps}, 'cert-ps', alg => 'PS384');
    token_refused('certificate: RS256 by rsa-b', $p, $t->{b}, 'bad_signature');
    token_refused('certificate: ES256 (no EC key)', $p, $t->{es}, 'alg_not_allowed');
}

# ------------------------------------------------------------------ one key per location

{
    my $t = jose_tokens(
        rsa   => job('RS512', 'rsa-a', 'pk-rsa'),
        es256 => job('ES256', 'ec256', 'pk-es256'),
        es384 => job('ES384', 'ec384', 'pk-es384'),
        es512 => job('ES512', 'ec521', 'pk-es512'),
        ed    => job('EdDSA', 'ed25519', 'pk-ed'),
        ed_at_ec => job('EdDSA', 'ed25519', 'mallory'),
        hs    => job('HS256', $MAIN, 'mallory'),
    );
    token_accepted('/app/pk/rsa: RS512', '/app/pk/rsa/x', $t->{rsa}, 'pk-rsa', alg => 'RS512');
    token_accepted('/app/pk/es256: ES256', '/app/pk/es256/x', $t->{es256}, 'pk-es256', alg => 'ES256');
    token_accepted('/app/pk/es384: ES384', '/app/pk/es384/x', $t->{es384}, 'pk-es384', alg => 'ES384');
    token_accepted('/app/pk/es521: ES512', '/app/pk/es521/x', $t->{es512}, 'pk-es512', alg => 'ES512');
    token_accepted('/app/pk/ed: EdDSA', '/app/pk/ed/x', $t->{ed}, 'pk-ed', alg => 'EdDSA');
    token_refused('/app/pk/es256: EdDSA (no Ed25519 key)', '/app/pk/es256/x', $t->{ed_at_ec}, 'alg_not_allowed');
    # the key directive of /app/pk/ replaced /app/'s secret
    token_refused('/app/pk/rsa: HS256 with /app/\'s secret (not inherited)', '/app/pk/rsa/x', $t->{hs},
                  'alg_not_allowed');
}

# ------------------------------------------------------------------ iss

{
    my $t = jose_tokens(
        good    => job('RS256', 'rsa-a', 'iss-ok', payload => { iss => 'https://idp.test' }),
        missing => job('RS256', 'rsa-a', 'mallory'),
        other   => job('RS256', 'rsa-a', 'mallory', payload => { iss => 'https://evil.test' }),
        slash   => job('RS256', 'rsa-a', 'mallory', payload => { iss => 'https://idp.test/' }),
        array   => job('RS256', 'rsa-a', 'mallory', payload => { iss => ['https://idp.test'] }),
    );
    my $p = '/app/pk/iss/x';
    token_accepted('iss: https://idp.test', $p, $t->{good}, 'iss-ok', alg => 'RS256');
    token_refused('iss: missing', $p, $t->{missing}, 'bad_issuer', claim => 'iss');
    token_refused('iss: https://evil.test', $p, $t->{other}, 'bad_issuer', claim => 'iss');
    token_refused('iss: https://idp.test/ (one more character)', $p, $t->{slash}, 'bad_issuer', claim => 'iss');
    token_refused('iss: ["https://idp.test"] (not a string)', $p, $t->{array}, 'bad_issuer', claim => 'iss');
}

# ------------------------------------------------------------------ aud

{
    my $t = jose_tokens(
        string  => job('RS256', 'rsa-a', 'aud-string', payload => { aud => 'app-one' }),
        array   => job('RS256', 'rsa-a', 'aud-array', payload => { aud => ['app-two', 'app-one'] }),
        missing => job('RS256', 'rsa-a', 'mallory'),
        other   => job('RS256', 'rsa-a', 'mallory', payload => { aud => 'app-two' }),
        prefix  => job('RS256', 'rsa-a', 'mallory', payload => { aud => 'app-one-x' }),
        without => job('RS256', 'rsa-a', 'mallory', payload => { aud => ['app-two', 'app-three'] }),
        empty   => job('RS256', 'rsa-a', 'mallory', payload => { aud => [] }),
    );
    my $p = '/app/pk/aud/x';
    token_accepted('aud: "app-one"', $p, $t->{string}, 'aud-string', alg => 'RS256');
    token_accepted('aud: ["app-two","app-one"]', $p, $t->{array}, 'aud-array', alg => 'RS256');
    token_refused('aud: missing', $p, $t->{missing}, 'bad_audience', claim => 'aud');
    token_refused('aud: "app-two"', $p, $t->{other}, 'bad_audience', claim => 'aud');
    token_refused('aud: "app-one-x"', $p, $t->{prefix}, 'bad_audience', claim => 'aud');
    token_refused('aud: ["app-two","app-three"]', $p, $t->{without}, 'bad_audience', claim => 'aud');
    token_refused('aud: []', $p, $t->{empty}, 'bad_audience', claim => 'aud');
}

# ------------------------------------------------------------------ the mixed key set

{
    my $t = jose_tokens(
        hs    => job('HS256', $MAIN, 'all-hs'),
        rs    => job('RS256', 'rsa-a', 'all-rs'),
        ps    => job('PS256', 'rsa-a', 'all-ps'),
        es256 => job('ES256', 'ec256', 'all-es256'),
        es384 => job('ES384', 'ec384', 'all-es384'),
        es512 => job('ES512', 'ec521', 'all-es512'),
        ed    => job('EdDSA', 'ed25519', 'all-ed'),
        rsa_b => job('RS256', 'rsa-b', 'mallory'),
    );
    my $p = '/app/pk/all/x';
    token_accepted('mixed: HS256 by the secret', $p, $t->{hs}, 'all-hs', alg => 'HS256');
    token_accepted('mixed: RS256', $p, $t->{rs}, 'all-rs', alg => 'RS256');
    token_accepted('mixed: PS256', $p, $t->{ps}, 'all-ps', alg => 'PS256');
    token_accepted('mixed: ES256', $p, $t->{es256}, 'all-es256', alg => 'ES256');
    token_accepted('mixed: ES384', $p, $t->{es384}, 'all-es384', alg => 'ES384');
    token_accepted('mixed: ES512', $p, $t->{es512}, 'all-es512', alg => 'ES512');
    token_accepted('mixed: EdDSA', $p, $t->{ed}, 'all-ed', alg => 'EdDSA');
    token_refused('mixed: RS256 by rsa-b', $p, $t->{rsa_b}, 'bad_signature');
}

# ------------------------------------------------------------------ HS/RS confusion

{
    # The attacker knows the public key and MACs the token with its PEM
    # text: a key is bound to its kind, so the RSA key never serves HS256.
    my $pem = slurp(pub_key_file('rsa-a'));
    (my $pem_trim = $pem) =~ s/\s+\z//;
    my %p = (sub => 'admin', iat => now());
    my $hs = raw_token(payload => \%p, secret => $pem);
    my $hs_trim = raw_token(payload => \%p, secret => $pem_trim);
    my $hs512 = raw_token(alg => 'HS512', payload => \%p, secret => $pem);
    token_refused('HS256 MAC keyed with the RSA public key PEM, no HMAC key', '/app/pk/rsa/x', $hs,
                  'alg_not_allowed');
    token_refused('HS512 MAC keyed with the RSA public key PEM, no HMAC key', '/app/pk/rsa/x', $hs512,
                  'alg_not_allowed');
    token_refused('HS256 MAC keyed with the certificate PEM at /app/pk/cert', '/app/pk/cert/x',
                  raw_token(payload => \%p, secret => slurp(keys_dir() . '/rsa-a.crt.pem')), 'alg_not_allowed');
    token_refused('HS256 MAC keyed with the JWKS text at /app/pk/jwks', '/app/pk/jwks/x',
                  raw_token(payload => \%p, secret => slurp(keys_dir() . '/jwks.json')), 'alg_not_allowed');
    token_refused('HS256 MAC keyed with the RSA public key PEM, mixed key set', '/app/pk/all/x', $hs,
                  'bad_signature');
    token_refused('HS256 MAC keyed with the PEM without its last newline, mixed key set', '/app/pk/all/x',
                  $hs_trim, 'bad_signature');
    token_refused('HS256 MAC keyed with the RSA public key PEM at /app/only/HS256', '/app/only/HS256/x', $hs,
                  'bad_signature');
}

# ------------------------------------------------------------------ alg none

{
    my @where = (map({ "/app/pk/$_/x" } qw(rsa cert es256 es384 es521 ed jwks rotate rotkid iss aud all)),
                 map({ "/app/only/$_/x" } qw(HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512
                                             ES256 ES384 ES512 EdDSA)));
    for my $w (@where) {
        my $t = hand_token({ alg => 'none', typ => 'JWT' },
                           { sub => 'admin', iat => now(), iss => 'https://idp.test', aud => 'app-one' }, '');
        token_refused("alg none at $w", $w, $t, 'alg_none');
    }
    token_refused('alg none with kid k-rsa at /app/pk/jwks', '/app/pk/jwks/x',
                  hand_token({ alg => 'none', kid => 'k-rsa' }, { sub => 'admin', iat => now() }, ''), 'alg_none');
}

# ------------------------------------------------------------------ ECDSA signatures that must not verify

{
    my %n = (   # the group orders
        ES256 => 'FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551',
        ES384 => 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973',
        ES512 => '01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409',
    );
    my %len = (ES256 => 32, ES384 => 48, ES512 => 66);
    my %loc = (ES256 => 'es256', ES384 => 'es384', ES512 => 'es521');
    for my $alg (qw(ES256 ES384 ES512)) {
        my $h = { alg => $alg, typ => 'JWT' };
        my $zero = b64url("\0" x (2 * $len{$alg}));
        my $order = pack('H*', $n{$alg});
        for my $w ("/app/pk/$loc{$alg}/x", '/app/pk/all/x') {
            token_refused("$alg psychic signature r = s = 0 at $w", $w,
                          hand_token($h, { sub => 'admin', iat => now() }, $zero), 'bad_signature');
            token_refused("$alg r = s = n (the group order) at $w", $w,
                          hand_token($h, { sub => 'admin', iat => now() }, b64url($order x 2)), 'bad_signature');
        }
    }
    token_refused('ES256 psychic signature with kid k-ec at /app/pk/jwks', '/app/pk/jwks/x',
                  hand_token({ alg => 'ES256', kid => 'k-ec' }, { sub => 'admin', iat => now() },
                             b64url("\0" x 64)), 'bad_signature');

    # A good ES256 signature, but DER-encoded (what OpenSSL and Java
    # produce; JWS wants the raw r || s): refused.
    my ($tok) = sign_tokens('jose', job('ES256', 'ec256', 'der'));
    my ($hp, $sig) = $tok =~ /^(.*)\.([^.]*)$/;
    my $raw = b64url_decode($sig);
    my $der_int = sub {
        my $i = shift;
        $i =~ s/^\0+//;
        $i = "\0$i" if $i eq '' || ord($i) & 0x80;
        return "\x02" . chr(length $i) . $i;
    };
    my $seq = $der_int->(substr($raw, 0, 32)) . $der_int->(substr($raw, 32));
    my $der = "\x30" . chr(length $seq) . $seq;
    token_accepted('ES256: the raw r || s signature', '/app/pk/es256/x', $tok, 'der', alg => 'ES256');
    token_refused('ES256: the same signature DER-encoded', '/app/pk/es256/x', "$hp." . b64url($der),
                  'bad_signature');

    # PyJWT 2.6 signs "ES256" with a P-521 key without complaint
    my ($py) = sign_tokens('pyjwt', job('ES256', 'ec521', 'mallory'));
    is length(b64url_decode((split /\./, $py)[2])), 132, 'PyJWT: an ES256 header over a 132-byte P-521 signature';
    token_refused('an ES256 token signed with the P-521 key, mixed key set', '/app/pk/all/x', $py,
                  'bad_signature');
}

done_testing();
