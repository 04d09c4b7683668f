# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
package JWTSSOTest;

# Helpers for the mod_auth_jwtsso Apache::Test suite.
#
#   use FindBin; use lib "$FindBin::Bin/lib";
#   use Apache::Test qw(-withtestmore);  use Test::More import => ['!plan'];
#   use JWTSSOTest;                       # exports everything below
#
# Tokens
#   node_token($secret, \%payload, \%options)  jsonwebtoken jwt.sign (t/bin/mktoken.js);
#                                   options default {algorithm=>'HS256'}, e.g. {expiresIn=>'1h'}
#   py_token($secret, \%payload, $alg)  PyJWT jwt.encode (t/bin/mktoken.py, /usr/bin/python3)
#       ($secret may be "file:PATH" for PEM keys in both)
#   raw_token(%a)   hand-made JWS for malformed cases: header => \%h | 'json text',
#                   payload => \%p | 'json text', secret => S, alg => HS256|HS384|HS512|none
#                   (default HS256; header defaults to {alg,typ}), signature => 'b64url'
#                   to force one. Strings are used verbatim (duplicate keys etc.).
#   b64url($bytes), b64url_decode($text), json_text($ref) (canonical JSON, sorted keys)
# HTTP
#   base_url()      http://127.0.0.1:PORT (Apache::Test's server)
#   url($path)      base_url() . $path
#   ua(%lwp_opts)   LWP::UserAgent, own HTTP::Cookies jar, no redirect following
#   app_vars($res_or_text)  hashref of the NAME=value lines of t/htdocs/cgi/app.cgi
#   query_params($url)      hashref of the query parameters of a URL (e.g. a Location)
# Logs
#   error_log_path(), access_log_path()  (t/logs/error_log, t/logs/jwtsso_access_log)
#   error_log_mark(), error_log_since($mark [, qr/wait for/ [, $timeout]])
#   access_log_mark(), access_log_since($mark [, qr/wait for/ [, $timeout]])
#   log_mark($file), log_since($file, $mark [, $wait_re [, $timeout]])
#       *_since return the lines (list) or the text (scalar) appended since the
#       mark; with $wait_re they poll (default 3 s) until the text matches, as
#       httpd writes the access log after the response has been sent.
# Start-up checks
#   httpd_configtest($directives, %opt) -> ($exit_code, $output)
#       runs `httpd -t -f TMP.conf` on a small configuration: ServerRoot,
#       DefaultRuntimeDir, Listen 127.0.0.1:PORT, LoadModule of the test
#       modules (mpm, authn/authz, session, session_cookie, socache_shmcb, ...)
#       and mod_auth_jwtsso, then $directives. %opt: modules => [names without
#       mod_] replaces the module list (e.g. to leave mod_session out),
#       jwtsso => 0 omits our module, start => 1 also really starts the
#       server (`-k start`, catches post_config errors) and stops it again;
#       the output then includes the temporary error_log.
# Misc
#   secret($name)   the test secrets of t/conf/jwtsso.conf.in: main (default),
#                   other, short ("short", base64:c2hvcnQ=), file (t/conf/secret.txt,
#                   trailing newline removed)
#   have_jwtsso()   true when the test server loaded mod_auth_jwtsso
#   module_path([$top]), httpd_modules(), top_dir(), mpm()

use strict;
use warnings;

use Exporter 'import';
use File::Spec ();
use File::Temp ();
use Cwd ();
use JSON::PP ();
use MIME::Base64 ();
use Digest::SHA ();
use Time::HiRes ();

our @EXPORT = qw(
    node_token py_token raw_token b64url b64url_decode json_text
    base_url url ua req app_vars query_params
    error_log_path access_log_path error_log_mark error_log_since
    access_log_mark access_log_since log_mark log_since
    httpd_configtest config_ok config_bad have_jwtsso module_path httpd_modules top_dir mpm secret
    write_in
);
our @EXPORT_OK = @EXPORT;
our %EXPORT_TAGS = (all => \@EXPORT);

# ---------------------------------------------------------------- layout

my $TOP_FROM_FILE = Cwd::abs_path(File::Spec->catdir(
    (File::Spec->splitpath(__FILE__))[1] || '.', File::Spec->updir, File::Spec->updir));

sub _cfg {
    require Apache::Test;
    return Apache::Test::config();
}

sub _var {
    my $name = shift;
    my $v = eval { _cfg()->{vars}->{$name} };
    return $v;
}

sub top_dir { $TOP_FROM_FILE }   # this file is <top>/t/lib/JWTSSOTest.pm

sub mpm {
    my $m = $ENV{JWTSSO_MPM} || 'event';
    die "JWTSSO_MPM must be event, worker or prefork\n" unless $m =~ /^(event|worker|prefork)$/;
    return $m;
}

# Modules loaded into the test server, besides the built-in ones
# (core, so, watchdog, http_core, log_config, logio, version, unixd).
sub httpd_modules {
    my $mpm = mpm();
    return ("mpm_$mpm", qw(
        authn_core authz_core authz_user authz_host auth_basic authn_file
        session session_cookie session_crypto socache_shmcb socache_memcache
        ), ($mpm eq 'prefork' ? 'cgi' : 'cgid'), qw(
        env setenvif headers mime alias dir rewrite status proxy proxy_http
    ));
}

sub module_path {
    my $top = shift || top_dir();
    return $ENV{JWTSSO_MODULE} if $ENV{JWTSSO_MODULE};
    return File::Spec->catfile($top, '.libs', 'mod_auth_jwtsso.so');
}

sub have_jwtsso {
    my $cfg = eval { _cfg() } or return 0;
    return $cfg->{modules}->{'mod_auth_jwtsso.c'} ? 1 : 0;
}

# ---------------------------------------------------------------- tokens

my %SECRET = (
    main  => 'jwtsso-test-secret-0123456789abcdefghij',
    other => 'jwtsso-other-secret-0123456789abcdefghij',
    short => 'short',
);

sub secret {
    my $name = shift // 'main';
    if ($name eq 'file') {
        my $f = File::Spec->catfile(top_dir(), 't', 'conf', 'secret.txt');
        open my $fh, '<', $f or die "$f: $!";
        my $s = do { local $/; <$fh> };
        $s =~ s/\r?\n\z//;
        return $s;
    }
    return $SECRET{$name} // die "secret: unknown name '$name'\n";
}

sub json_text {
    my $ref = shift;
    return $ref unless ref $ref;
    return JSON::PP->new->canonical->allow_nonref->encode($ref);
}

sub _run_capture {
    my @cmd = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd or do { print "exec $cmd[0]: $!\n"; POSIX::_exit(127) };
    }
    my $out = do { local $/; <$fh> };
    close $fh;
    return ($? >> 8, $out // '');
}

sub _token_cmd {
    my ($what, @cmd) = @_;
    local $ENV{NODE_PATH} = $ENV{NODE_PATH} || File::Spec->catdir(top_dir(), 'node', 'node_modules');
    my ($rc, $out) = _run_capture(@cmd);
    die "$what failed (exit $rc): $out" if $rc;
    $out =~ s/\s+\z//;
    die "$what printed no token: $out" unless $out =~ /^[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*$/;
    return $out;
}

sub node_token {
    my ($secret, $payload, $options) = @_;
    my @cmd = ('node', File::Spec->catfile(top_dir(), 't', 'bin', 'mktoken.js'),
               $secret, json_text($payload));
    push @cmd, json_text($options) if defined $options;
    return _token_cmd('mktoken.js', @cmd);
}

sub py_token {
    my ($secret, $payload, $alg) = @_;
    my @cmd = ('/usr/bin/python3', File::Spec->catfile(top_dir(), 't', 'bin', 'mktoken.py'),
               $secret, json_text($payload));
    push @cmd, $alg if defined $alg;
    return _token_cmd('mktoken.py', @cmd);
}

sub b64url {
    my $s = MIME::Base64::encode_base64(shift, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+\z//;
    return $s;
}

sub b64url_decode {
    my $s = shift;
    $s =~ tr{-_}{+/};
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return MIME::Base64::decode_base64($s);
}

my %HMAC = (HS256 => \&Digest::SHA::hmac_sha256, HS384 => \&Digest::SHA::hmac_sha384,
            HS512 => \&Digest::SHA::hmac_sha512);

sub raw_token {
    my %a = @_;
    my $alg = $a{alg} // 'HS256';
    my $header = exists $a{header} ? $a{header} : { alg => $alg, typ => 'JWT' };
    my $input = b64url(json_text($header)) . '.' . b64url(json_text($a{payload} // {}));
    my $sig;
    if (defined $a{signature}) {
        $sig = $a{signature};
    }
    elsif ($alg eq 'none') {
        $sig = '';
    }
    else {
        my $f = $HMAC{$alg} or die "raw_token: alg $alg not supported (HS256/384/512/none)\n";
        die "raw_token: secret required\n" unless defined $a{secret};
        $sig = b64url($f->($input, $a{secret}));
    }
    return "$input.$sig";
}

# ---------------------------------------------------------------- HTTP

sub base_url {
    require Apache::TestRequest;
    return 'http://' . Apache::TestRequest::hostport();
}

sub url { base_url() . (shift // '/') }

sub ua {
    my %opt = @_;
    require LWP::UserAgent;
    require HTTP::Cookies;
    return LWP::UserAgent->new(
        cookie_jar            => HTTP::Cookies->new,
        max_redirect          => 0,
        requests_redirectable => [],
        timeout               => 30,
        keep_alive            => 0,
        agent                 => 'jwtsso-test/1',
        %opt,
    );
}

# req($ua, METHOD, URL, NAME => VALUE, ...): a request with these headers
# (repeatable names kept in order).
sub req {
    my ($ua, $method, $url, @headers) = @_;
    require HTTP::Request;
    my $r = HTTP::Request->new($method => $url);
    while (my ($k, $v) = splice @headers, 0, 2) {
        $r->push_header($k => $v);
    }
    return $ua->request($r);
}

sub app_vars {
    my $x = shift;
    my $text = ref $x ? $x->decoded_content // $x->content : $x;
    my %v;
    for my $line (split /\n/, $text // '') {
        next unless $line =~ /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
        $v{$1} = $2;
    }
    return \%v;
}

sub query_params {
    my $u = shift;
    require URI;
    my %p;
    my @pairs = URI->new($u)->query_form;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        $p{$k} = $v;
    }
    return \%p;
}

# ---------------------------------------------------------------- logs

sub error_log_path  { File::Spec->catfile(_var('t_logs') || top_dir() . '/t/logs', 'error_log') }
sub access_log_path { File::Spec->catfile(_var('t_logs') || top_dir() . '/t/logs', 'jwtsso_access_log') }

sub log_mark {
    my $file = shift;
    return -s $file || 0;
}

sub _read_from {
    my ($file, $mark) = @_;
    open my $fh, '<', $file or return '';
    binmode $fh;
    seek $fh, $mark, 0;
    local $/;
    my $t = <$fh>;
    return $t // '';
}

sub log_since {
    my ($file, $mark, $wait_re, $timeout) = @_;
    my $text = _read_from($file, $mark);
    if ($wait_re) {
        my $until = Time::HiRes::time() + ($timeout // 3);
        while ($text !~ $wait_re && Time::HiRes::time() < $until) {
            Time::HiRes::sleep(0.05);
            $text = _read_from($file, $mark);
        }
    }
    return wantarray ? split(/\n/, $text) : $text;
}

sub error_log_mark  { log_mark(error_log_path()) }
sub error_log_since { log_since(error_log_path(), @_) }
sub access_log_mark  { log_mark(access_log_path()) }
sub access_log_since { log_since(access_log_path(), @_) }

# ---------------------------------------------------------------- httpd -t

sub _free_port {
    require IO::Socket::INET;
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1)
        or die "cannot bind a free port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub _modules_dir {
    my $apxs = _var('apxs') || '/usr/bin/apxs';
    my $dir = `$apxs -q LIBEXECDIR 2>/dev/null`;
    chomp $dir;
    return $dir || '/usr/lib/apache2/modules';
}

# The head of a small httpd.conf in $tmp: paths, Listen and ServerName on
# 127.0.0.1:$port, and LoadModule lines for @$mods (default httpd_modules(),
# with an MPM added when the list has none); not mod_auth_jwtsso.
sub _conf_head {
    my ($tmp, $port, $docroot, $mods) = @_;
    my $moddir = _modules_dir();
    my @mods = $mods ? @$mods : httpd_modules();
    unshift @mods, 'mpm_' . mpm() unless grep { /^mpm_/ } @mods;
    open my $mt, '>', "$tmp/mime.types" or die "$tmp/mime.types: $!";
    print $mt "text/html html\ntext/plain txt\n";
    close $mt;
    my $conf = <<"EOC";
ServerRoot "$tmp"
TypesConfig "$tmp/mime.types"
DefaultRuntimeDir "$tmp"
PidFile "$tmp/httpd.pid"
ErrorLog "$tmp/error_log"
Listen 127.0.0.1:$port
ServerName 127.0.0.1:$port
DocumentRoot "$docroot"
EOC
    $conf .= qq{LoadModule ${_}_module "$moddir/mod_$_.so"\n} for @mods;
    return $conf;
}

sub httpd_configtest {
    my ($directives, %opt) = @_;
    my $httpd = _var('httpd') || $ENV{APACHE_TEST_HTTPD} || '/usr/sbin/apache2';
    my $tmp = File::Temp::tempdir('jwtsso-conf-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{JWTSSO_KEEP_TMP});
    my $port = $opt{port} || _free_port();
    my $docroot = _var('documentroot') || File::Spec->catdir(top_dir(), 't', 'htdocs');

    my $conf = _conf_head($tmp, $port, $docroot, $opt{modules}) . "LogLevel info\n";
    if ($opt{jwtsso} // 1) {
        my $so = module_path();
        $conf .= qq{LoadModule auth_jwtsso_module "$so"\n};
    }
    my $threaded = " StartServers 1\n ServerLimit 1\n ThreadsPerChild 4\n ThreadLimit 4\n"
                 . " MinSpareThreads 1\n MaxSpareThreads 8\n MaxRequestWorkers 4\n";
    $conf .= "<IfModule mpm_event_module>\n$threaded</IfModule>\n"
           . "<IfModule mpm_worker_module>\n$threaded</IfModule>\n"
           . "<IfModule mpm_prefork_module>\n StartServers 1\n MinSpareServers 1\n MaxSpareServers 1\n</IfModule>\n"
        if $opt{start};
    $conf .= "# ---- directives under test\n" . ($directives // '') . "\n";

    my $file = "$tmp/httpd.conf";
    open my $fh, '>', $file or die "$file: $!";
    print $fh $conf;
    close $fh or die "$file: $!";

    my ($rc, $out) = _run_capture($httpd, '-t', '-f', $file);
    if ($opt{start} && $rc == 0) {
        ($rc, $out) = _run_capture($httpd, '-f', $file, '-k', 'start');
        if ($rc == 0) {
            my $until = Time::HiRes::time() + 10;
            Time::HiRes::sleep(0.1) until -s "$tmp/httpd.pid" || Time::HiRes::time() > $until;
            Time::HiRes::sleep(0.3);
            _run_capture($httpd, '-f', $file, '-k', 'stop');
            $until = Time::HiRes::time() + 10;
            Time::HiRes::sleep(0.1) while -e "$tmp/httpd.pid" && Time::HiRes::time() < $until;
        }
        $out .= _read_from("$tmp/error_log", 0);
    }
    return ($rc, $out);
}

require POSIX;

# ---------------------------------------------------------------- public keys, token batches
#
# Keys (made by t/TEST.PL in t/keys/, @JWTSSO_KEYS@ in the conf)
#   keys_dir()               the directory
#   key_file($name)          NAME.pem, the private key (PKCS#8 PEM): rsa-a rsa-b
#                            rsa-c ec256 ec384 ec521 ed25519
#   pub_key_file($name)      NAME.pub.pem; also rsa-a.crt.pem, jwks.json in keys_dir()
#   slurp($path)             a file's bytes
# Token batches: one process per library signs every job
#   batch_tokens($lib, \@jobs) -> list, per job the token or {error => MESSAGE}
#   sign_tokens($lib, @jobs)   -> the tokens; dies on any error
#       $lib: jsonwebtoken (t/bin/mktokens-jwt.js), jose (t/bin/mktoken-jose.mjs),
#             pyjwt (t/bin/mktokens.py, /usr/bin/python3)
#       job: {alg, key => SECRET | "file:PATH", payload => {...}, header => {...}
#             (e.g. kid), iat => 0 (none), exp => 0 (none)}; every library adds
#             iat = now and exp = now + 1 h unless told otherwise
#   flip_bit($token, $part, $byte, $bit) -> the token with one bit of the decoded
#       part (0 header, 1 payload, 2 signature) flipped, re-encoded (still strict
#       base64url); $byte defaults to the middle one, $bit to 0
# Presenting tokens (Test::More assertions; return true when all passed)
#   reason_tag($reason)       '00213' for bad_signature (200 + jwtsso_reason_t)
#   present_token($path, $token [, $ua]) -> ($response, $ua): GET $path?jwt=TOKEN
#   token_refused($label, $path, $token, $reason [, claim => NAME])  401, no
#       jwtsso_session cookie, the log line JWTSSO<tag>: token refused: <reason>
#       ($reason undef: any token-refused line; claim: the line names it), the
#       token in neither the body nor the error_log
#   token_accepted($label, $path, $token, $user [, alg => ALG]) -> app vars or undef:
#       302 to $path without the token, a jwtsso_session cookie, the login line,
#       then 200 with REMOTE_USER $user through the session

push @EXPORT, qw(keys_dir key_file pub_key_file slurp batch_tokens sign_tokens flip_bit
                 reason_tag present_token token_refused token_accepted);
@EXPORT_OK = @EXPORT;

sub keys_dir { _var('jwtsso_keys') || File::Spec->catdir(top_dir(), 't', 'keys') }
sub key_file { File::Spec->catfile(keys_dir(), "$_[0].pem") }
sub pub_key_file { File::Spec->catfile(keys_dir(), "$_[0].pub.pem") }

# Write text to dir/name (a test's temporary directory); the path.
sub write_in {
    my ($dir, $name, $text) = @_;
    my $path = "$dir/$name";
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
    return $path;
}

sub slurp {
    my $f = shift;
    open my $fh, '<', $f or die "$f: $!";
    binmode $fh;
    local $/;
    return scalar <$fh>;
}

my %BATCH = (
    jsonwebtoken => ['node', 't/bin/mktokens-jwt.js'],
    jose         => ['node', 't/bin/mktoken-jose.mjs'],
    pyjwt        => ['/usr/bin/python3', 't/bin/mktokens.py'],
);

sub batch_tokens {
    my ($lib, $jobs) = @_;
    my $how = $BATCH{$lib} or die "batch_tokens: unknown library '$lib'\n";
    my $tmp = File::Temp->new(SUFFIX => '.json', TMPDIR => 1);
    print $tmp JSON::PP->new->canonical->encode($jobs);
    close $tmp;
    local $ENV{NODE_PATH} = $ENV{NODE_PATH} || File::Spec->catdir(top_dir(), 'node', 'node_modules');
    my ($rc, $out) = _run_capture($how->[0], File::Spec->catfile(top_dir(), $how->[1]), "$tmp");
    die "$how->[1] failed (exit $rc): $out" if $rc;
    # the JSON array is the last line (stderr, e.g. a runtime warning, comes first)
    my ($json) = $out =~ /^(\[.*\])\s*\z/m;
    my $list = eval { JSON::PP->new->decode($json // '') };
    die "$how->[1] printed no JSON array: $out" unless ref $list eq 'ARRAY' && @$list == @$jobs;
    return @$list;
}

sub sign_tokens {
    my ($lib, @jobs) = @_;
    my @t = batch_tokens($lib, \@jobs);
    for (@t) {
        die "sign_tokens($lib): $_->{error}\n" if ref;
    }
    return @t;
}

sub flip_bit {
    my ($token, $part, $byte, $bit) = @_;
    my @p = split /\./, $token, -1;
    my $raw = b64url_decode($p[$part]);
    $byte //= int(length($raw) / 2);
    substr($raw, $byte, 1) = chr(ord(substr($raw, $byte, 1)) ^ (1 << ($bit // 0)));
    $p[$part] = b64url($raw);
    return join '.', @p;
}

my @REASONS = qw(ok too_large malformed bad_base64 bad_header bad_payload
    duplicate_member alg_none alg_unknown alg_not_allowed crit no_key unknown_kid
    bad_signature claim_type expired not_yet_valid iat_future too_old no_lifetime
    no_iat no_user bad_user bad_issuer bad_audience record_malformed
    record_bad_mac record_expired internal kid_required token_type);

sub reason_tag {
    my $reason = shift;
    for my $i (1 .. $#REASONS) {
        return sprintf '%05d', 200 + $i if $REASONS[$i] eq $reason;
    }
    die "reason_tag: unknown reason '$reason'\n";
}

sub _session_cookies {
    my $res = shift;
    return grep { /^jwtsso_session=/ } $res->header('Set-Cookie');
}

sub present_token {
    my ($path, $token, $ua) = @_;
    require URI::Escape;
    $ua ||= ua();
    return ($ua->get(url("$path?jwt=" . URI::Escape::uri_escape($token))), $ua);
}

my $LOGGED = qr/JWTSSO\d{5}: (?:token refused|login)/;

sub token_refused {
    my ($label, $path, $token, $reason, %o) = @_;
    require Test::More;
    my $tag = defined $reason ? reason_tag($reason) : undef;
    my $mark = error_log_mark();
    my ($res) = present_token($path, $token);
    my $ok = 1;
    $ok &= Test::More::is($res->code, 401, "$label: 401 at $path")
        || Test::More::diag($res->as_string);
    $ok &= Test::More::is(scalar(_session_cookies($res)), 0, "$label: no jwtsso_session cookie");
    my $log = error_log_since($mark, $LOGGED);
    my $re = defined $reason ? qr/JWTSSO$tag: token refused: \Q$reason\E: /
                             : qr/JWTSSO002\d\d: token refused: /;
    $ok &= Test::More::like($log, $re, "$label: log says " . ($reason ? "JWTSSO$tag $reason" : 'token refused'))
        || Test::More::diag("log since mark:\n$log");
    if ($o{claim}) {
        $ok &= Test::More::like($log, qr/JWTSSO$tag: [^\n]*, claim \Q$o{claim}\E,/,
                                "$label: log names claim $o{claim}");
    }
    $ok &= Test::More::ok(index($res->content, $token) < 0 && index($log, $token) < 0,
                          "$label: the token is in neither the 401 body nor the error_log");
    return $ok;
}

sub token_accepted {
    my ($label, $path, $token, $user, %o) = @_;
    require Test::More;
    my $mark = error_log_mark();
    my ($res, $ua) = present_token($path, $token);
    my $ok = 1;
    $ok &= Test::More::is($res->code, 302, "$label: 302 at $path") || Test::More::diag($res->as_string);
    my $loc = $res->header('Location') // '';
    $ok &= Test::More::like($loc, qr{^http://[^/?]+\Q$path\E$}, "$label: redirect to $path without the token");
    $ok &= Test::More::is(scalar(_session_cookies($res)), 1, "$label: jwtsso_session cookie set");
    my $log = error_log_since($mark, $LOGGED);
    my $alg = $o{alg} // '[A-Za-z0-9]+';
    $ok &= Test::More::like($log, qr/JWTSSO00408: login: user '\Q$user\E' \(alg $alg, token [0-9a-f]{8}\)/,
                            "$label: login logged" . ($o{alg} ? " (alg $o{alg})" : ''))
        || Test::More::diag("log since mark:\n$log");
    my $next = $ua->get($loc || url($path));
    $ok &= Test::More::is($next->code, 200, "$label: 200 with the session") || Test::More::diag($next->as_string);
    my $v = app_vars($next);
    $ok &= Test::More::is($v->{REMOTE_USER}, $user, "$label: REMOTE_USER $user");
    return $ok ? $v : undef;
}

# ---------------------------------------------------------------- replay cache: helper servers
#
# (t/75-replay.t) Processes a test starts and must stop by their PID (an
# END block): a memcached, and further httpd instances next to Apache::Test's.
#   free_port()               a free loopback TCP port
#   wait_port($port [, $timeout])  true once 127.0.0.1:$port accepts (default 10 s)
#   wait_port_closed($port [, $timeout])  true once it refuses
#   memcached_start($port)    runs `memcached -l 127.0.0.1 -p PORT -U 0` in the
#                             foreground as a child: its PID (dies if it does
#                             not listen within 10 s)
#   stop_pid($pid [, $timeout])  SIGTERM, wait (SIGKILL after $timeout, 10 s);
#                             true when the child was reaped
#   httpd_start($directives, %opt) -> {pid, port, base, dir, conf, error_log} or
#       dies with the server's output: a second small httpd in the foreground
#       (-DFOREGROUND, a child of the test), with the configuration of
#       httpd_configtest (start => 1) plus the test app (/app/... runs
#       t/htdocs/cgi/app.cgi) and LogLevel info auth_jwtsso:debug; %opt: port,
#       modules (as httpd_configtest), files => {NAME => BYTES} written into
#       its ServerRoot first (mode 0600). Stop it with httpd_stop($h).
#   httpd_stop($h)            stop_pid($h->{pid}); true when it exited
#   jwtsso_location(%o)       a protected <Location /app/> like the test
#                             server's (JWTSSOState Off); %o: path (default
#                             /app/), secret, authname, extra (more lines)
#   present_at($base, $path, $token [, $ua]) -> ($response, $ua):
#       GET $base$path?jwt=TOKEN (a fresh ua() unless given)
#   session_cookie_of($res)   the jwtsso_session Set-Cookie headers (list)
#   delay_proxy_start($port, $target_port, $delay) -> PID: a TCP proxy on
#       127.0.0.1:$port to 127.0.0.1:$target_port that holds every reply chunk
#       $delay seconds (requests pass at once): a slow store, to widen a race.
#       One process per connection; stop_pid() on the PID stops them all.

push @EXPORT, qw(free_port wait_port wait_port_closed memcached_start stop_pid
                 httpd_start httpd_stop jwtsso_location present_at session_cookie_of
                 delay_proxy_start);
@EXPORT_OK = @EXPORT;

sub free_port { _free_port() }

sub wait_port {
    my ($port, $timeout) = @_;
    require IO::Socket::INET;
    my $until = Time::HiRes::time() + ($timeout // 10);
    while (1) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                      Proto => 'tcp', Timeout => 1);
        if ($s) { close $s; return 1 }
        return 0 if Time::HiRes::time() > $until;
        Time::HiRes::sleep(0.05);
    }
}

sub wait_port_closed {
    my ($port, $timeout) = @_;
    require IO::Socket::INET;
    my $until = Time::HiRes::time() + ($timeout // 10);
    while (1) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                      Proto => 'tcp', Timeout => 1);
        return 1 unless $s;
        close $s;
        return 0 if Time::HiRes::time() > $until;
        Time::HiRes::sleep(0.05);
    }
}

sub stop_pid {
    my ($pid, $timeout) = @_;
    return 0 unless $pid && $pid > 0;
    kill 'TERM', $pid;
    my $until = Time::HiRes::time() + ($timeout // 10);
    while (Time::HiRes::time() < $until) {
        my $r = waitpid $pid, POSIX::WNOHANG();
        return 1 if $r == $pid || $r < 0;
        Time::HiRes::sleep(0.05);
    }
    kill 'KILL', $pid;
    return waitpid($pid, 0) == $pid ? 1 : 0;
}

sub _spawn {
    my ($log, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        # a session of its own: prefork's parent, stopping, signals its
        # whole process group, which would otherwise be this test's
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT;
        exec @cmd or do { print "exec $cmd[0]: $!\n"; POSIX::_exit(127) };
    }
    return $pid;
}

# memcached's logs, removed when the test that made them ends (not in a
# child it forked)
my (%memcached_logs, $memcached_parent);
END {
    if (defined $memcached_parent && $$ == $memcached_parent && !$ENV{JWTSSO_KEEP_TMP}) {
        unlink keys %memcached_logs;
    }
}

sub memcached_start {
    my ($port) = @_;
    my $bin = -x '/usr/bin/memcached' ? '/usr/bin/memcached' : 'memcached';
    my $log = File::Spec->catfile(File::Spec->tmpdir, "jwtsso-memcached-$port.$$.log");
    $memcached_parent //= $$;
    $memcached_logs{$log} = 1;
    my $pid = _spawn($log, $bin, '-l', '127.0.0.1', '-p', $port, '-U', '0', '-t', '2', '-m', '16');
    unless (wait_port($port, 10)) {
        stop_pid($pid, 2);
        die "memcached did not listen on 127.0.0.1:$port: " . _read_from($log, 0);
    }
    return $pid;
}

sub jwtsso_location {
    my %o = @_;
    my $secret = $o{secret} // secret('main');
    my $name = $o{authname} // 'jwtsso-test';
    my $extra = $o{extra} // '';
    my $path = $o{path} // '/app/';
    return <<"EOC";
<Location $path>
    AuthType jwtsso
    AuthName "$name"
    JWTSSOAuthEndpoint https://idp.example.test/login?client=t
    JWTSSOSecret "$secret"
    JWTSSOState Off
    Session On
    SessionCookieName jwtsso_session path=/;httponly
    SessionMaxAge 0
    Require valid-user
$extra</Location>
EOC
}

sub httpd_start {
    my ($directives, %opt) = @_;
    my $httpd = _var('httpd') || $ENV{APACHE_TEST_HTTPD} || '/usr/sbin/apache2';
    my $tmp = File::Temp::tempdir('jwtsso-httpd-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{JWTSSO_KEEP_TMP});
    my $port = $opt{port} || _free_port();
    my $docroot = _var('documentroot') || File::Spec->catdir(top_dir(), 't', 'htdocs');
    my $conf = _conf_head($tmp, $port, $docroot, $opt{modules});
    $conf .= qq{LoadModule auth_jwtsso_module "} . module_path() . qq{"\n};
    my $threaded = " StartServers 1\n ServerLimit 2\n ThreadsPerChild 8\n ThreadLimit 8\n"
                 . " MinSpareThreads 1\n MaxSpareThreads 16\n MaxRequestWorkers 16\n";
    $conf .= "<IfModule mpm_event_module>\n$threaded</IfModule>\n"
           . "<IfModule mpm_worker_module>\n$threaded</IfModule>\n"
           . "<IfModule mpm_prefork_module>\n StartServers 2\n MinSpareServers 1\n MaxSpareServers 4\n</IfModule>\n";
    $conf .= <<"EOC";
LogLevel info auth_jwtsso:debug
ScriptAliasMatch "^/app(/.*)?\$" "$docroot/cgi/app.cgi\$1"
<Directory "$docroot/cgi">
    Options +ExecCGI
    Require all granted
</Directory>
# ---- directives under test
EOC
    $conf .= ($directives // '') . "\n";
    my $file = "$tmp/httpd.conf";
    open my $fh, '>', $file or die "$file: $!";
    print $fh $conf;
    close $fh or die "$file: $!";
    # files to put into the ServerRoot first (e.g. jwtsso-session.key)
    for my $name (sort keys %{ $opt{files} || {} }) {
        open my $ff, '>', "$tmp/$name" or die "$tmp/$name: $!";
        binmode $ff;
        print $ff $opt{files}{$name};
        close $ff or die "$tmp/$name: $!";
        chmod 0600, "$tmp/$name";
    }

    my $out = "$tmp/stdout";
    my $pid = _spawn($out, $httpd, '-f', $file, '-DFOREGROUND');
    my $h = { pid => $pid, port => $port, base => "http://127.0.0.1:$port", dir => $tmp,
              conf => $file, error_log => "$tmp/error_log" };
    my $up = wait_port($port, 15);
    if (!$up || waitpid($pid, POSIX::WNOHANG()) == $pid) {
        stop_pid($pid, 2);
        die "httpd_start: the server did not come up on 127.0.0.1:$port:\n"
          . _read_from($out, 0) . _read_from("$tmp/error_log", 0);
    }
    return $h;
}

sub httpd_stop {
    my $h = shift;
    return 0 unless $h && $h->{pid};
    my $ok = stop_pid($h->{pid}, 15);
    $h->{pid} = 0;
    return $ok;
}

sub present_at {
    my ($base, $path, $token, $ua) = @_;
    require URI::Escape;
    $ua ||= ua();
    return ($ua->get($base . $path . '?jwt=' . URI::Escape::uri_escape($token)), $ua);
}

sub session_cookie_of { _session_cookies(shift) }

sub _pump {
    my ($from, $to, $delay) = @_;
    my $buf;
    my $n = sysread($from, $buf, 65536);
    return 0 unless $n;
    Time::HiRes::sleep($delay) if $delay;
    my $off = 0;
    while ($off < $n) {
        my $w = syswrite($to, $buf, $n - $off, $off);
        return 0 unless $w;
        $off += $w;
    }
    return 1;
}

sub delay_proxy_start {
    my ($port, $target, $delay) = @_;
    require IO::Socket::INET;
    require IO::Select;
    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 16,
                                  ReuseAddr => 1, Proto => 'tcp')
        or die "delay_proxy_start: cannot listen on 127.0.0.1:$port: $!";
    my $pid = fork // die "fork: $!";
    if ($pid) {
        close $l;
        return $pid;
    }
    my %kids;
    $SIG{TERM} = sub { kill 'TERM', keys %kids; POSIX::_exit(0) };
    $SIG{CHLD} = sub { while ((my $k = waitpid(-1, POSIX::WNOHANG())) > 0) { delete $kids{$k} } };
    while (1) {
        my $c = $l->accept or next;
        my $k = fork;
        if (!defined $k) { close $c; next }
        if ($k) { $kids{$k} = 1; close $c; next }
        $SIG{TERM} = 'DEFAULT';
        $SIG{CHLD} = 'DEFAULT';
        close $l;
        my $u = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $target, Proto => 'tcp')
            or POSIX::_exit(0);
        my $sel = IO::Select->new($c, $u);
        OUTER: while (1) {
            for my $fh ($sel->can_read) {
                my $ok = $fh == $c ? _pump($c, $u, 0) : _pump($u, $c, $delay);
                last OUTER unless $ok;
            }
        }
        POSIX::_exit(0);
    }
}

# ---------------------------------------------------------------- attacks
#
# (t/70-attacks.t)
#   vhost_base_url($name)     http://HOST:PORT of the Apache::Test virtual host
#                             <VirtualHost NAME> of t/conf/*.conf.in
#   fresh_token(\%claims, %o) an HS256 token of the main secret (%o: secret, alg
#                             HS256|HS384|HS512|none, header) with iat = now,
#                             exp = now + 1 h and a jti of its own (each token
#                             logs in once: the replay cache), then \%claims;
#                             a claim given as undef is left out (exp => undef)
#   raw_http($hostport, $bytes [, $timeout]) -> HTTP::Response, or undef when
#                             the server closed without an answer: sends $bytes
#                             as they are (write "\r\n" yourself; use HTTP/1.0)
#                             on a new connection, reads to EOF (default 30 s)
#   response_cookie($res, $name) -> the last Set-Cookie of $name as
#                             {name, value, attr => {lc name => value|1}, raw},
#                             or undef
#   cookie_cleared($c)        true when that Set-Cookie removes the cookie: an
#                             empty value with Max-Age=0 or an Expires past
#   url_origin($url)          lower-case scheme://host:port of an absolute
#                             http(s) URL (URI), or undef (relative, other
#                             scheme, userinfo, a control character, space or \)
#   crash_lines($text)        the lines of an error_log text that tell of a
#                             crashed child (signal, sanitizer report)

push @EXPORT, qw(vhost_base_url fresh_token raw_http response_cookie cookie_cleared
                 url_origin crash_lines);
@EXPORT_OK = @EXPORT;

sub vhost_base_url {
    my $name = shift;
    require Apache::TestRequest;
    no warnings q(once);
    local $Apache::TestRequest::Module = $name;
    return 'http://' . Apache::TestRequest::hostport();
}

my $JTI = 0;

sub fresh_token {
    my ($claims, %o) = @_;
    my $now = time;
    my %p = (iat => $now, exp => $now + 3600,
             jti => sprintf('t70-%d-%d-%d', $$, $now, ++$JTI), %{ $claims || {} });
    delete @p{ grep { !defined $p{$_} } keys %p };
    return raw_token(payload => \%p, secret => $o{secret} // secret('main'),
                     alg => $o{alg} // 'HS256', exists $o{header} ? (header => $o{header}) : ());
}

sub raw_http {
    my ($hostport, $bytes, $timeout) = @_;
    require IO::Socket::INET;
    require IO::Select;
    require HTTP::Response;
    my $s = IO::Socket::INET->new(PeerAddr => $hostport, Proto => 'tcp', Timeout => 10)
        or die "raw_http: connect $hostport: $!\n";
    binmode $s;
    local $SIG{PIPE} = 'IGNORE';
    my $off = 0;
    while ($off < length $bytes) {
        my $n = syswrite $s, $bytes, length($bytes) - $off, $off;
        last unless $n;         # closed early: the server may have answered
        $off += $n;
    }
    my ($in, $sel) = ('', IO::Select->new($s));
    my $until = Time::HiRes::time() + ($timeout // 30);
    while (Time::HiRes::time() < $until) {
        next unless $sel->can_read(0.5);
        my $n = sysread $s, $in, 65536, length $in;
        last unless $n;         # EOF (or a reset after the answer)
    }
    close $s;
    return undef unless $in =~ m{^HTTP/\d\.\d \d{3}};
    return HTTP::Response->parse($in);
}

sub response_cookie {
    my ($res, $name) = @_;
    my $found;
    for my $h ($res->header('Set-Cookie')) {
        next unless defined $h;
        my ($nv, @attrs) = split /;\s*/, $h;
        my ($n, $v) = split /=/, $nv, 2;
        next unless defined $n && $n eq $name;
        my %a;
        for (@attrs) {
            my ($k, $x) = split /=/, $_, 2;
            $a{lc $k} = defined $x ? $x : 1;
        }
        $found = { name => $n, value => $v // '', attr => \%a, raw => $h };
    }
    return $found;
}


sub cookie_cleared {
    my $c = shift;
    return 0 unless $c && $c->{value} eq '';
    return 1 if defined $c->{attr}{'max-age'} && $c->{attr}{'max-age'} eq '0';
    if (defined $c->{attr}{expires}) {
        require HTTP::Date;
        my $t = HTTP::Date::str2time($c->{attr}{expires});
        return 1 if defined $t && $t < time;
    }
    return 0;
}

sub url_origin {
    my $u = shift;
    return undef unless defined $u && $u =~ m{\A[A-Za-z][A-Za-z0-9+.-]*://[^\x00-\x20\x7f\\]*\z};
    require URI;
    my $uri = URI->new($u);
    my $scheme = lc($uri->scheme // '');
    return undef unless $scheme eq 'http' || $scheme eq 'https';
    return undef if defined $uri->userinfo;
    my $host = lc($uri->host // '');
    return undef unless length $host;
    return "$scheme://$host:" . $uri->port;
}

sub crash_lines {
    my $text = shift // '';
    return grep { /exit signal|Segmentation fault|AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|\bdumped core\b/ }
           split /\n/, $text;
}


# ---------------------------------------------------------------- start-up checks
# config_ok($label, $directives, %opt): httpd -t passes, no JWTSSO0010[12].
sub config_ok {
    my ($label, $directives, %opt) = @_;
    my ($rc, $out) = httpd_configtest($directives, %opt);
    Test::More::is($rc, 0, "$label: httpd -t passes") or Test::More::diag($out);
    Test::More::like($out, qr/Syntax OK/, "$label: Syntax OK") unless $opt{start};
    Test::More::unlike($out, qr/JWTSSO0010[12]/, "$label: no JWTSSO00101/00102 error");
    return $out;
}

# config_bad($label, $directives, [qr/.../, ...], %opt): httpd -t fails with
# every message, and no printf conversion is left unexpanded in it.
sub config_bad {
    my ($label, $directives, $res, %opt) = @_;
    my ($rc, $out) = httpd_configtest($directives, %opt);
    Test::More::isnt($rc, 0, "$label: httpd -t fails");
    for my $re (@$res) {
        Test::More::like($out, $re, "$label: message $re") or Test::More::diag($out);
    }
    Test::More::unlike($out, qr/Syntax OK/, "$label: no Syntax OK");
    Test::More::unlike($out, qr/%l*[dus]\b/, "$label: no unexpanded printf conversion in the message");
    return $out;
}

# ---------------------------------------------------------------- sessions by cookie value
# log_like($mark, qr/.../, $label)   the error_log since $mark matches (waits
#                                    for it, as httpd may write it late)
# login_cookie($base, $path, \%claims, %o) -> the jwtsso_session cookie value
#     ('' when none), after GET $base$path?jwt=<fresh_token(\%claims)> and the
#     assertions 302 and a cookie; %o: headers => [NAME => VALUE, ...], and
#     fresh_token's options (secret, alg, header)
# cookie_get($url, $value, NAME => VALUE, ...) -> the response of a GET that
#     sends only that jwtsso_session cookie

push @EXPORT, qw(log_like login_cookie cookie_get);
@EXPORT_OK = @EXPORT;

sub log_like {
    my ($mark, $re, $label) = @_;
    my $log = error_log_since($mark, $re);
    Test::More::like($log, $re, $label) or Test::More::diag("log since mark:\n$log");
}

sub login_cookie {
    my ($base, $path, $claims, %o) = @_;
    require URI::Escape;
    my $headers = delete $o{headers} || [];
    my $res = ua()->get("$base$path?jwt=" . URI::Escape::uri_escape(fresh_token($claims, %o)), @$headers);
    my $c = response_cookie($res, 'jwtsso_session');
    Test::More::is($res->code, 302, "login at $base$path: 302") or Test::More::diag($res->as_string);
    Test::More::ok($c && length $c->{value}, "login at $base$path: a session cookie");
    return $c ? $c->{value} : '';
}

sub cookie_get {
    my ($url, $value, @headers) = @_;
    return ua(cookie_jar => undef)->get($url, Cookie => "jwtsso_session=$value", @headers);
}

1;
