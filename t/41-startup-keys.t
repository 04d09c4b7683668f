# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Start-up errors of the public-key directives: JWTSSOVerifyKey,
# JWTSSOVerifyJWKS, JWTSSOAlgorithms, JWTSSOIssuer, JWTSSOAudience, and the
# section checks they bring (JWTSSOSessionKey, keys for the allow-list).
# Keys are made here with openssl (and turned into JWKs with node) in a
# temporary directory; each case is a configuration of its own run through
# `httpd -t` (JWTSSOTest::httpd_configtest), as in t/40-startup.t.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Temp ();
use JSON::PP ();
use MIME::Base64 ();
use POSIX ();
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso.so not built (' . module_path() . ')' unless -e module_path();
plan skip_all => 'openssl not found' unless grep { -x "$_/openssl" } split /:/, $ENV{PATH};
my $NODE = -x '/usr/bin/node' ? '/usr/bin/node' : 'node';

my $SECRET = secret('main');
my $SESSION_KEY = qq{JWTSSOSessionKey "$SECRET"};
my $DIR = File::Temp::tempdir('jwtsso-keys-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{JWTSSO_KEEP_TMP});

# ------------------------------------------------------------------ helpers

sub run_ok {
    my @cmd = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd or do { print "exec $cmd[0]: $!\n"; POSIX::_exit(127) };
    }
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    die "@cmd failed (exit " . ($? >> 8) . "): $out" if $?;
    return $out;
}

sub write_file { write_in($DIR, @_) }

sub read_file {
    my $path = shift;
    open my $fh, '<', $path or die "$path: $!";
    local $/;
    return scalar <$fh>;
}

# genkey($name, @genpkey_options) -> ($private_path, $public_path)
sub genkey {
    my ($name, @opt) = @_;
    my ($priv, $pub) = ("$DIR/$name.key", "$DIR/$name.pub.pem");
    run_ok('openssl', 'genpkey', @opt, '-out', $priv);
    run_ok('openssl', 'pkey', '-in', $priv, '-pubout', '-out', $pub);
    return ($priv, $pub);
}

# The public JWKs of PEM files (private ones too: createPublicKey takes
# either), as node's crypto exports them; with private => 1 the private
# members (d, p, q, ...) are kept.
sub jwks_of {
    my ($opt, @files) = ref $_[0] ? @_ : ({}, @_);
    my $fn = $opt->{private} ? 'createPrivateKey' : 'createPublicKey';
    my $js = 'const c = require("crypto"), fs = require("fs");'
           . 'console.log(JSON.stringify(process.argv.slice(1).map('
           . "f => c.$fn(fs.readFileSync(f)).export({format: 'jwk'}))));";
    my $out = run_ok($NODE, '-e', $js, @files);
    return @{ JSON::PP::decode_json($out) };
}

sub jwks_file {
    my ($name, $doc) = @_;
    return write_file($name, ref $doc ? JSON::PP->new->canonical->encode($doc) : $doc);
}

sub b64url_enc {
    my $s = MIME::Base64::encode_base64(shift, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+\z//;
    return $s;
}

sub b64url_dec {
    my $s = shift;
    $s =~ tr{-_}{+/};
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return MIME::Base64::decode_base64($s);
}

# A protected <Location /app>; 'keys' replaces the JWTSSOSecret line.
sub location {
    my %o = @_;
    my %line = (
        authtype => 'AuthType jwtsso',
        authname => 'AuthName "t"',
        endpoint => 'JWTSSOAuthEndpoint https://idp.example.test/login',
        keys     => qq{JWTSSOSecret "$SECRET"},
        session  => "Session On\n    SessionCookieName jwtsso_session path=/;httponly\n    SessionMaxAge 0",
        require  => 'Require valid-user',
        extra    => '',
    );
    for my $k (keys %o) {
        $line{$k} = $o{$k};
    }
    my @order = qw(extra authtype authname endpoint keys session require);
    return "<Location /app>\n" . join('', map { "    $_\n" } grep { defined && length } @line{@order})
         . "</Location>\n";
}

# keys(@lines): a 'keys' value of several directive lines
sub keys_ { join "\n    ", @_ }

# config_ok / config_bad: t/lib/JWTSSOTest.pm

# The base64 lines of a PEM file: none may appear in any message.
sub pem_body_lines {
    my $text = read_file(shift);
    return grep { length > 16 && !/^-----/ } split /\n/, $text;
}

sub no_key_text {
    my ($label, $out, $file) = @_;
    my @leaked = grep { index($out, $_) >= 0 } pem_body_lines($file);
    ok !@leaked, "$label: the message holds none of the key file's text" or diag "leaked: @leaked";
}

# ------------------------------------------------------------------ the keys

my ($rsa, $rsa_pub)     = genkey('rsa2048', -algorithm => 'RSA', -pkeyopt => 'rsa_keygen_bits:2048');
my ($rsa_b, $rsa_b_pub) = genkey('rsa2048b', -algorithm => 'RSA', -pkeyopt => 'rsa_keygen_bits:2048');
my ($rsa1k, $rsa1k_pub) = genkey('rsa1024', -algorithm => 'RSA', -pkeyopt => 'rsa_keygen_bits:1024');
my ($p256, $p256_pub)   = genkey('p256', -algorithm => 'EC', -pkeyopt => 'ec_paramgen_curve:P-256');
my ($k1, $k1_pub)       = genkey('secp256k1', -algorithm => 'EC', -pkeyopt => 'ec_paramgen_curve:secp256k1');
my ($ed, $ed_pub)       = genkey('ed25519', -algorithm => 'ED25519');
my ($ed448, $ed448_pub) = genkey('ed448', -algorithm => 'ED448');
my ($x25519, $x25519_pub) = genkey('x25519', -algorithm => 'X25519');
my $cert = "$DIR/rsa2048.cert.pem";
run_ok('openssl', 'req', '-x509', '-new', '-key', $rsa, '-subj', '/CN=idp.example.test',
       '-days', '2', '-out', $cert);
my $pkcs1 = "$DIR/rsa2048.pkcs1.pem";
run_ok('openssl', 'rsa', '-in', $rsa, '-RSAPublicKey_out', '-out', $pkcs1);
like read_file($pkcs1), qr/^-----BEGIN RSA PUBLIC KEY-----/, 'the PKCS#1 file is an RSA PUBLIC KEY';
my ($dsa_pub);
{
    my $param = "$DIR/dsa.param";
    run_ok('openssl', 'genpkey', '-genparam', -algorithm => 'DSA', -pkeyopt => 'dsa_paramgen_bits:2048',
           '-out', $param);
    (undef, $dsa_pub) = genkey('dsa', '-paramfile', $param);
}

my $PEM_FIX = qr/\. Give the IdP's public key or certificate in PEM, e\.g\. from 'openssl pkey -in KEY -pubout'/;
my $SYNTAX = qr/Syntax error on line \d+ of \S+httpd\.conf:/;

# ------------------------------------------------------------------ JWTSSOVerifyKey: files

{
    my $missing = "$DIR/missing.pem";
    config_bad('VerifyKey of a missing file', location(keys => "JWTSSOVerifyKey $missing"),
               [ $SYNTAX,
                 qr/JWTSSOVerifyKey: cannot read \Q$missing\E \(No such file or directory\); make the file exist and readable by the user that starts httpd/ ]);

    # one argument is the path, even when it looks like a kid
    config_bad('VerifyKey with a kid but no path', location(keys => "JWTSSOVerifyKey k1"),
               [ qr/JWTSSOVerifyKey: cannot read \S+\/k1 \(No such file or directory\)/ ]);

    my $locked = write_file('locked.pem', read_file($rsa_pub));
    chmod 0000, $locked or die "chmod $locked: $!";
    SKIP: {
        skip 'running as root: a mode 000 file is readable', 5 if $> == 0;
        config_bad('VerifyKey of an unreadable file (mode 000)', location(keys => "JWTSSOVerifyKey $locked"),
                   [ qr/JWTSSOVerifyKey: cannot read \Q$locked\E \(Permission denied\); make the file exist and readable by the user that starts httpd/ ]);
    }
    chmod 0600, $locked;

    my $garbage = write_file('garbage.pem', "this is not a key GARBAGE-MARKER-4711\n\x01\x02\xff\n");
    my $out = config_bad('VerifyKey of a non-PEM file', location(keys => "JWTSSOVerifyKey $garbage"),
                         [ $SYNTAX, qr/JWTSSOVerifyKey: \Q$garbage\E: no PEM public key, certificate or private key could be read \(expected -----BEGIN PUBLIC KEY----- or similar\)$PEM_FIX/ ]);
    unlike $out, qr/GARBAGE-MARKER/, 'VerifyKey of a non-PEM file: the file content is not echoed';

    my $empty = write_file('empty.pem', '');
    config_bad('VerifyKey of an empty file', location(keys => "JWTSSOVerifyKey $empty"),
               [ qr/JWTSSOVerifyKey: \Q$empty\E: [^;\n]*$PEM_FIX/ ]);

    # a PEM of something that is no key at all
    my $csr = "$DIR/req.csr";
    run_ok('openssl', 'req', '-new', '-key', $rsa, '-subj', '/CN=x', '-out', $csr);
    config_bad('VerifyKey of a certificate request', location(keys => "JWTSSOVerifyKey $csr"),
               [ qr/JWTSSOVerifyKey: \Q$csr\E: [^;\n]*$PEM_FIX/ ]);
}

# ------------------------------------------------------------------ JWTSSOVerifyKey: kinds of keys

config_bad('VerifyKey of RSA 1024', location(keys => keys_("JWTSSOVerifyKey $rsa1k_pub", $SESSION_KEY)),
           [ $SYNTAX, qr/JWTSSOVerifyKey: \Q$rsa1k_pub\E: the RSA key is shorter than 2048 bits$PEM_FIX/ ]);
{
    my $out = config_bad('VerifyKey of a private RSA 1024 key',
                         location(keys => keys_("JWTSSOVerifyKey $rsa1k", $SESSION_KEY)),
                         [ qr/JWTSSOVerifyKey: \Q$rsa1k\E: the RSA key is shorter than 2048 bits/ ]);
    no_key_text('VerifyKey of a private RSA 1024 key', $out, $rsa1k);
}
config_bad('VerifyKey of secp256k1', location(keys => keys_("JWTSSOVerifyKey $k1_pub", $SESSION_KEY)),
           [ $SYNTAX, qr/JWTSSOVerifyKey: \Q$k1_pub\E: the curve is not supported \(EC keys must be on P-256, P-384 or P-521, OKP keys Ed25519\)$PEM_FIX/ ]);
config_bad('VerifyKey of Ed448', location(keys => keys_("JWTSSOVerifyKey $ed448_pub", $SESSION_KEY)),
           [ $SYNTAX, qr/JWTSSOVerifyKey: \Q$ed448_pub\E: the curve is not supported [^;\n]*$PEM_FIX/ ]);
config_bad('VerifyKey of X25519 (no signing key)', location(keys => keys_("JWTSSOVerifyKey $x25519_pub", $SESSION_KEY)),
           [ $SYNTAX, qr/JWTSSOVerifyKey: \Q$x25519_pub\E: the key is of a type not used to verify tokens here .*X25519.*$PEM_FIX/ ]);
config_bad('VerifyKey of DSA', location(keys => keys_("JWTSSOVerifyKey $dsa_pub", $SESSION_KEY)),
           [ $SYNTAX, qr/JWTSSOVerifyKey: \Q$dsa_pub\E: the key is of a type not used to verify tokens here .*DSA.*$PEM_FIX/ ]);

for my $good ([ 'an RSA 2048 public key', $rsa_pub ], [ 'a certificate', $cert ],
              [ 'a PKCS#1 RSA PUBLIC KEY', $pkcs1 ], [ 'an EC P-256 public key', $p256_pub ],
              [ 'an Ed25519 public key', $ed_pub ]) {
    my ($what, $file) = @$good;
    my $out = config_ok("VerifyKey of $what", location(keys => keys_("JWTSSOVerifyKey $file", $SESSION_KEY)));
    unlike $out, qr/JWTSSO00104/, "VerifyKey of $what: no private-key warning";
}

# a private key: accepted, with a warning that names the file, never its content
for my $priv ([ 'RSA', $rsa ], [ 'EC P-256', $p256 ], [ 'Ed25519', $ed ]) {
    my ($what, $file) = @$priv;
    my $label = "VerifyKey of a private $what key";
    my $out = config_ok($label, location(keys => keys_("JWTSSOVerifyKey $file", $SESSION_KEY)));
    like $out, qr/JWTSSO00104: JWTSSOVerifyKey \Q$file\E \(\S+httpd\.conf:\d+\) holds a PRIVATE key: only its public half is used; give the site the public key alone \('openssl pkey -in KEY -pubout'\)/,
        "$label: warning JWTSSO00104";
    no_key_text($label, $out, $file);
}
{
    my $label = 'VerifyKey of a private key, started';
    my $out = config_ok($label, location(keys => keys_("JWTSSOVerifyKey $rsa", $SESSION_KEY)), start => 1);
    like $out, qr/resuming normal operations/, "$label: the server really started";
    like $out, qr/JWTSSO00104: .*PRIVATE key/, "$label: the warning is in its output";
    no_key_text($label, $out, $rsa);
}

# ------------------------------------------------------------------ kids and arguments

config_ok('VerifyKey with a kid', location(keys => keys_("JWTSSOVerifyKey k1 $rsa_pub", $SESSION_KEY)));
config_ok('two VerifyKeys with different kids',
          location(keys => keys_("JWTSSOVerifyKey k1 $rsa_pub", "JWTSSOVerifyKey k2 $rsa_b_pub", $SESSION_KEY)));
config_ok('two VerifyKeys without kid (rotation)',
          location(keys => keys_("JWTSSOVerifyKey $rsa_pub", "JWTSSOVerifyKey $rsa_b_pub", $SESSION_KEY)));
config_ok('VerifyKeys of several kinds with a secret',
          location(keys => keys_(qq{JWTSSOSecret "$SECRET"}, "JWTSSOVerifyKey $rsa_pub",
                                 "JWTSSOVerifyKey $p256_pub", "JWTSSOVerifyKey $ed_pub")));
config_bad('two VerifyKeys with the same kid',
           location(keys => keys_("JWTSSOVerifyKey k1 $rsa_pub", "JWTSSOVerifyKey k1 $rsa_b_pub", $SESSION_KEY)),
           [ $SYNTAX, qr/JWTSSOVerifyKey: k1 \Q$rsa_b_pub\E: this section already has a key with kid 'k1'; give each key its own kid/ ]);
config_bad('the same kid for keys of different kinds',
           location(keys => keys_("JWTSSOVerifyKey k1 $rsa_pub", "JWTSSOVerifyKey k1 $p256_pub", $SESSION_KEY)),
           [ qr/JWTSSOVerifyKey: k1 \Q$p256_pub\E: this section already has a key with kid 'k1'/ ]);
config_bad('VerifyKey with three arguments',
           location(keys => keys_("JWTSSOVerifyKey k1 $rsa_pub extra", $SESSION_KEY)),
           [ $SYNTAX, qr/JWTSSOVerifyKey takes (?:1-2|one or two) arguments, \[KID\] PATH: a PEM public key or certificate of the IdP/ ]);

# ------------------------------------------------------------------ public keys and JWTSSOSessionKey

config_bad('only public keys, no JWTSSOSessionKey', location(keys => "JWTSSOVerifyKey $rsa_pub"),
           [ qr/JWTSSO00101: <Location \/app> .*uses AuthType jwtsso but has no secret of its own to sign its session records with \(only public keys, or keys from a JWKS\); add 'JWTSSOSessionKey file:[^']+'/,
             qr/openssl rand -base64 48/ ]);
config_ok('only public keys, with JWTSSOSessionKey', location(keys => keys_("JWTSSOVerifyKey $rsa_pub", $SESSION_KEY)));
config_ok('public keys, JWTSSOSessionKey in a parent <Location />',
          "<Location />\n    $SESSION_KEY\n</Location>\n" . location(keys => "JWTSSOVerifyKey $rsa_pub"));
config_ok('public key and a JWTSSOSecret (keys the session records)',
          location(keys => keys_("JWTSSOVerifyKey $rsa_pub", qq{JWTSSOSecret "$SECRET"})));
config_bad('JWTSSOSessionKey alone (no key to verify with)', location(keys => $SESSION_KEY),
           [ qr/JWTSSO00101: <Location \/app> .*has no key to verify tokens with; add e\.g\. 'JWTSSOSecret file:[^']+' .*or 'JWTSSOVerifyKey [^']+'/ ]);

# ------------------------------------------------------------------ JWTSSOVerifyJWKS

my ($J_RSA, $J_RSA_B, $J_EC, $J_ED, $J_RSA1K, $J_K1, $J_ED448) =
    jwks_of($rsa_pub, $rsa_b_pub, $p256_pub, $ed_pub, $rsa1k_pub, $k1_pub, $ed448_pub);
my ($J_RSA_PRIV) = jwks_of({ private => 1 }, $rsa);
ok $J_RSA_PRIV->{d}, 'node exports a private JWK with d';
is $J_EC->{crv}, 'P-256', 'node exports the EC JWK with crv P-256';

sub jwk { my ($base, %more) = @_; return { %$base, %more } }

my $JWKS_FIX = qr/; fix the JWKS file \(RFC 7517: \{"keys": \[\.\.\.\]\}, public members only\)/;

# jwks_bad($label, $doc, [qr/.../...], %location_options): the message names the file
sub jwks_bad {
    my ($label, $doc, $res, %o) = @_;
    (my $name = $label) =~ s/\W+/_/g;
    my $file = jwks_file("$name.json", $doc);
    return config_bad("VerifyJWKS: $label",
                      location(keys => keys_(($o{before} // ()), "JWTSSOVerifyJWKS $file", $SESSION_KEY,
                                             ($o{after} // ()))),
                      [ $SYNTAX, qr/JWTSSOVerifyJWKS: \Q$file\E/, @$res ]);
}

sub jwks_ok {
    my ($label, $doc, %o) = @_;
    (my $name = $label) =~ s/\W+/_/g;
    my $file = jwks_file("$name.json", $doc);
    return config_ok("VerifyJWKS: $label",
                     location(keys => keys_(($o{before} // ()), "JWTSSOVerifyJWKS $file",
                                            ($o{no_session_key} ? () : $SESSION_KEY), ($o{after} // ()))));
}

{
    my $missing = "$DIR/missing.json";
    config_bad('VerifyJWKS of a missing file', location(keys => keys_("JWTSSOVerifyJWKS $missing", $SESSION_KEY)),
               [ $SYNTAX, qr/JWTSSOVerifyJWKS: cannot read \Q$missing\E \(No such file or directory\); make the file exist and readable/ ]);
}
# the document as a whole is wrong: the message names no key (the core
# reports no key index then, SIZE_MAX)
for my $case ([ 'not JSON', "this { is not JSON" ], [ 'empty file', '' ],
              [ 'no keys member (a bare JWK)', $J_RSA ], [ 'keys is not an array', { keys => $J_RSA } ],
              [ 'a bare array of JWKs', [ $J_RSA ] ]) {
    my ($label, $doc) = @$case;
    my $out = jwks_bad($label, $doc, [ qr/the JWK Set is not a JSON object with a "keys" array[^\n]*$JWKS_FIX/ ]);
    unlike $out, qr/key #\d/, "VerifyJWKS: $label: the message names no key index";
}
jwks_bad('an RSA key without n', { keys => [ { kty => 'RSA', e => 'AQAB', kid => 'a' } ] },
         [ qr/key #0 \(counting from 0\): [^;\n]*a key lacks a required member[^;\n]*$JWKS_FIX/ ]);
jwks_bad('the second key lacks n', { keys => [ jwk($J_EC, kid => 'ec'), { kty => 'RSA', e => 'AQAB' } ] },
         [ qr/key #1 \(counting from 0\): [^;\n]+$JWKS_FIX/ ]);
jwks_bad('a key without kty', { keys => [ { n => $J_RSA->{n}, e => 'AQAB' } ] },
         [ qr/key #0 \(counting from 0\): [^;\n]+$JWKS_FIX/ ]);
jwks_bad('n is not base64url', { keys => [ jwk($J_RSA, n => 'not base64url!') ] },
         [ qr/key #0 \(counting from 0\): [^;\n]+$JWKS_FIX/ ]);
{
    # the same x with another y: a point that is not on P-256
    my $y = b64url_dec($J_EC->{y});
    substr($y, -1, 1) = chr(ord(substr($y, -1, 1)) ^ 1);
    jwks_bad('an EC key whose point is not on the curve',
             { keys => [ jwk($J_EC, y => b64url_enc($y), kid => 'ec') ] },
             [ qr/key #0 \(counting from 0\): a JWK member has the wrong type or value [^;\n]*an EC point not on its curve[^;\n]*$JWKS_FIX/ ]);
}
jwks_bad('an RSA key with alg HS256', { keys => [ jwk($J_RSA, alg => 'HS256', kid => 'r') ] },
         [ qr/key #0 \(counting from 0\): the JWK's alg does not fit its key type and curve[^;\n]*$JWKS_FIX/ ]);
jwks_bad('an EC P-256 key with alg ES384', { keys => [ jwk($J_EC, alg => 'ES384') ] },
         [ qr/key #0 \(counting from 0\): the JWK's alg does not fit its key type and curve[^;\n]*$JWKS_FIX/ ]);
jwks_bad('an RSA key with alg none', { keys => [ jwk($J_RSA, alg => 'none') ] },
         [ qr/key #0 \(counting from 0\): [^;\n]+$JWKS_FIX/ ]);
jwks_bad('two keys with the same kid',
         { keys => [ jwk($J_RSA, kid => 'same'), jwk($J_RSA_B, kid => 'same') ] },
         [ qr/key #1 \(counting from 0\): its kid is already used by another key of this section/ ]);
jwks_bad('an RSA key of 1024 bits', { keys => [ $J_RSA1K ] },
         [ qr/key #0 \(counting from 0\): the RSA key is shorter than 2048 bits$JWKS_FIX/ ]);
jwks_bad('an EC key on secp256k1', { keys => [ $J_K1 ] },
         [ qr/key #0 \(counting from 0\): the curve is not supported/ ]);
jwks_bad('an Ed448 key', { keys => [ $J_ED448 ] }, [ qr/key #0 \(counting from 0\): the curve is not supported/ ]);
{
    my $out = jwks_bad('only "use":"enc" keys',
                       { keys => [ jwk($J_RSA, use => 'enc'), jwk($J_EC, use => 'enc') ] },
                       [ qr/JWTSSOVerifyJWKS: \S+ holds no signing key \(keys with "use" other than "sig" and unknown kty are skipped\)/ ]);
}
jwks_bad('an empty keys array', { keys => [] }, [ qr/JWTSSOVerifyJWKS: \S+ holds no signing key/ ]);
jwks_bad('only an unknown kty', { keys => [ { kty => 'XYZ', kid => 'x' } ] },
         [ qr/JWTSSOVerifyJWKS: \S+ holds no signing key/ ]);

# oct keys: HMAC secrets, with the same 32-byte rule as JWTSSOSecret
my $SHORT_OCT = { kty => 'oct', kid => 'short', k => b64url_enc('short-secret') };
my $LONG_OCT  = { kty => 'oct', kid => 'long', k => b64url_enc('x' x 32) };
{
    # like JWTSSOSecret's message, this one should name the way out
    my $out = jwks_bad('an oct key of 12 bytes', { keys => [ $SHORT_OCT ] },
                       [ qr/key #0 \(counting from 0\): [^\n]*(?:12 bytes|32)/,
                         qr/JWTSSOAllowShortSecret On/ ]);
    unlike $out, qr/\Q$SHORT_OCT->{k}\E/, 'VerifyJWKS: an oct key of 12 bytes: the secret is not in the message';
}
jwks_ok('an oct key of 12 bytes after JWTSSOAllowShortSecret On', { keys => [ $SHORT_OCT ] },
        before => 'JWTSSOAllowShortSecret On');
jwks_bad('an oct key of 12 bytes before JWTSSOAllowShortSecret On', { keys => [ $SHORT_OCT ] },
         [ qr/key #0 \(counting from 0\)/ ], after => 'JWTSSOAllowShortSecret On');
jwks_ok('an oct key of 32 bytes', { keys => [ $LONG_OCT ] });
config_bad('VerifyJWKS: only an oct key, no JWTSSOSessionKey',
           location(keys => 'JWTSSOVerifyJWKS ' . jwks_file('oct-only.json', { keys => [ $LONG_OCT ] })),
           [ qr/JWTSSO00101: <Location \/app> .*JWTSSOSessionKey/ ]);

# good documents
jwks_ok('RSA, EC and OKP keys with kid, use and alg',
        { keys => [ jwk($J_RSA, kid => 'rsa', use => 'sig', alg => 'RS256'),
                    jwk($J_EC, kid => 'ec', use => 'sig', alg => 'ES256'),
                    jwk($J_ED, kid => 'ed', use => 'sig', alg => 'EdDSA') ] });
jwks_ok('RSA, EC and OKP keys as node exports them', { keys => [ $J_RSA, $J_EC, $J_ED ] });
jwks_ok('signing keys next to an "enc" key and an unknown kty',
        { keys => [ jwk($J_RSA_B, use => 'enc', kid => 'e'), { kty => 'XYZ', kid => 'x' },
                    jwk($J_RSA, kid => 'rsa') ] });
jwks_ok('an RSA key with alg PS256', { keys => [ jwk($J_RSA, alg => 'PS256') ] });
jwks_ok('private members are ignored', { keys => [ jwk($J_RSA_PRIV, kid => 'p') ] });
jwks_ok('JWKS keys next to a secret', { keys => [ $J_RSA, $J_EC ] }, before => qq{JWTSSOSecret "$SECRET"},
        no_session_key => 1);
{
    my $file = jwks_file('kid-k1.json', { keys => [ jwk($J_RSA_B, kid => 'k1') ] });
    config_bad('VerifyJWKS: a kid that a VerifyKey line already has',
               location(keys => keys_("JWTSSOVerifyKey k1 $rsa_pub", "JWTSSOVerifyJWKS $file", $SESSION_KEY)),
               [ qr/JWTSSOVerifyJWKS: \Q$file\E, key #0 \(counting from 0\): its kid is already used by another key/ ]);
    config_ok('VerifyJWKS: two JWKS files with different kids',
              location(keys => keys_("JWTSSOVerifyJWKS $file",
                                     'JWTSSOVerifyJWKS ' . jwks_file('kid-k2.json', { keys => [ jwk($J_RSA, kid => 'k2') ] }),
                                     $SESSION_KEY)));
}

# ------------------------------------------------------------------ JWTSSOAlgorithms

my $ALG_USE = qr/; use HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA/;
config_bad('JWTSSOAlgorithms none', location(extra => 'JWTSSOAlgorithms none'),
           [ $SYNTAX, qr/JWTSSOAlgorithms: 'none' is not an algorithm this module verifies \(unsigned tokens are never accepted\)$ALG_USE/ ]);
config_bad('JWTSSOAlgorithms HS256 none', location(extra => 'JWTSSOAlgorithms HS256 none'),
           [ qr/JWTSSOAlgorithms: 'none' is not an algorithm .*\(unsigned tokens are never accepted\)/ ]);
config_bad('JWTSSOAlgorithms HS1', location(extra => 'JWTSSOAlgorithms HS1'),
           [ $SYNTAX, qr/JWTSSOAlgorithms: 'HS1' is not an algorithm this module verifies$ALG_USE/ ]);
# names in any case, as httpd's keywords (issue 14; a token's own header
# stays exact: t/42-startup-mistakes.t); the lower-case name still means RS256
config_bad('JWTSSOAlgorithms rs256', location(extra => 'JWTSSOAlgorithms rs256'),
           [ qr/JWTSSO00101: .*allows RS256 in JWTSSOAlgorithms, which no configured key can verify/ ]);
config_bad('JWTSSOAlgorithms ""', location(extra => 'JWTSSOAlgorithms ""'),
           [ $SYNTAX, qr/JWTSSOAlgorithms requires at least one argument/ ]);
config_bad('JWTSSOAlgorithms RS256 with only a JWTSSOSecret', location(extra => 'JWTSSOAlgorithms RS256'),
           [ qr/JWTSSO00101: <Location \/app> .*uses AuthType jwtsso but allows RS256 in JWTSSOAlgorithms, which no configured key can verify \(the keys serve: HS256 HS384 HS512\)/ ]);
config_ok('JWTSSOAlgorithms HS256 RS256 with a secret and an RSA key',
          location(extra => 'JWTSSOAlgorithms HS256 RS256',
                   keys => keys_(qq{JWTSSOSecret "$SECRET"}, "JWTSSOVerifyKey $rsa_pub")));
config_ok('JWTSSOAlgorithms PS512 with an RSA key',
          location(extra => 'JWTSSOAlgorithms PS512', keys => keys_("JWTSSOVerifyKey $rsa_pub", $SESSION_KEY)));
config_bad('JWTSSOAlgorithms ES384 with only an ES256 key',
           location(extra => 'JWTSSOAlgorithms ES384', keys => keys_("JWTSSOVerifyKey $p256_pub", $SESSION_KEY)),
           [ qr/JWTSSO00101: .*allows ES384 in JWTSSOAlgorithms, which no configured key can verify \(the keys serve: ES256\)/ ]);
config_ok('JWTSSOAlgorithms ES256 EdDSA with an ES256 and an Ed25519 key',
          location(extra => 'JWTSSOAlgorithms ES256 EdDSA',
                   keys => keys_("JWTSSOVerifyKey $p256_pub", "JWTSSOVerifyKey $ed_pub", $SESSION_KEY)));
config_bad('JWTSSOAlgorithms EdDSA RS256 with only an Ed25519 key',
           location(extra => 'JWTSSOAlgorithms EdDSA RS256', keys => keys_("JWTSSOVerifyKey $ed_pub", $SESSION_KEY)),
           [ qr/JWTSSO00101: .*allows RS256 in JWTSSOAlgorithms, which no configured key can verify \(the keys serve: EdDSA\)/ ]);
{
    my $file = jwks_file('rsa-rs256-only.json', { keys => [ jwk($J_RSA, alg => 'RS256') ] });
    config_bad('JWTSSOAlgorithms PS256 with a JWK restricted to RS256',
               location(extra => 'JWTSSOAlgorithms PS256',
                        keys => keys_("JWTSSOVerifyJWKS $file", $SESSION_KEY)),
               [ qr/JWTSSO00101: .*allows PS256 in JWTSSOAlgorithms, which no configured key can verify \(the keys serve: RS256\)/ ]);
}
# a child's list replaces its parent's
config_ok('JWTSSOAlgorithms RS256 in a parent, HS256 in the child with a secret',
          "<Location />\n    JWTSSOAlgorithms RS256\n</Location>\n" . location(extra => 'JWTSSOAlgorithms HS256'));

# ------------------------------------------------------------------ JWTSSOIssuer, JWTSSOAudience

# httpd's parser turns "" into no argument at all, so TAKE1 refuses it before
# the module's own "the value is empty" check could run.
config_bad('JWTSSOIssuer ""', location(extra => 'JWTSSOIssuer ""'),
           [ $SYNTAX, qr/JWTSSOIssuer takes one argument, the iss a token must carry/ ]);
config_bad('JWTSSOAudience ""', location(extra => 'JWTSSOAudience ""'),
           [ $SYNTAX, qr/JWTSSOAudience takes one argument, a value the token's aud must be or contain/ ]);
config_bad('JWTSSOIssuer with two words', location(extra => 'JWTSSOIssuer https://idp.example.test extra'),
           [ qr/JWTSSOIssuer takes one argument/ ]);
config_ok('JWTSSOIssuer and JWTSSOAudience',
          location(extra => "JWTSSOIssuer https://idp.example.test\n    JWTSSOAudience \"my app\""));

done_testing();
