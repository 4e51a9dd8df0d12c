// pulumi-language-nodejs: the language host through which Pulumi's engine runs Node.js programs.
//
// Pulumi's own host is not published as a Go module version that can be built here, so the
// toolchain builds this one. It implements what `pulumi preview|up|refresh|destroy` needs from
// a language host: it starts `node @pulumi/pulumi/cmd/run` with the engine's addresses, the
// stack's configuration and the program's runtime options, and reports how the program ended.
// Plugin discovery is left to the engine (providers are loaded when a resource needs them and
// found on PATH), and code generation is not offered.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set at build time; it is reported to the engine and by -version.
var version = "0.1.0"

// exitCodeAlreadyReported is what @pulumi/pulumi's runner exits with after it has shown the
// user an actionable message: the engine should stop without printing more.
const exitCodeAlreadyReported = 32

func main() {
	engineAddress, showVersion := parseArgs(os.Args[1:])
	if showVersion {
		fmt.Println(version)
		return
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: cannot listen on loopback: %v\n", err)
		os.Exit(1)
	}
	server := grpc.NewServer(grpc.MaxRecvMsgSize(400 * 1024 * 1024))
	host := &languageHost{engineAddress: engineAddress}
	pulumirpc.RegisterLanguageRuntimeServer(server, host)
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

// parseArgs accepts the engine's flags (-tracing, -root, -runtime, logging flags) without
// needing them, and returns the engine address, the only positional argument.
func parseArgs(args []string) (engineAddress string, showVersion bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-version" || a == "--version":
			showVersion = true
		case strings.HasPrefix(a, "-"):
			name := strings.TrimLeft(a, "-")
			// Flags given as "-flag value" take the next argument; boolean flags do not.
			if !strings.Contains(name, "=") && flagTakesValue(name) && i+1 < len(args) {
				i++
			}
		default:
			engineAddress = a
		}
	}
	return engineAddress, showVersion
}

func flagTakesValue(name string) bool {
	switch name {
	case "tracing", "root", "runtime", "v", "logflow", "log_dir":
		return true
	}
	return false
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string

	mu      sync.Mutex
	running map[*exec.Cmd]struct{}
}

func (h *languageHost) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Providers are resolved by the engine when a resource registers (they are on PATH here), so
// no plugin has to be installed ahead of the run.
func (h *languageHost) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := req.GetPwd()
	entryPoint := "."
	if info != nil {
		programDir = info.GetProgramDirectory()
		if info.GetEntryPoint() != "" {
			entryPoint = info.GetEntryPoint()
		}
	} else if req.GetProgram() != "" {
		entryPoint = req.GetProgram()
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the PATH: " + err.Error()}, nil
	}
	runPath, err := resolveRunner(nodeBin, programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts := runtimeOptionsOf(req)
	config, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	secretKeys, _ := json.Marshal(nonNil(req.GetConfigSecretKeys()))

	args := append(strings.Fields(opts.nodeArgs), runnerArgs(req, runPath, h.engineAddress, programDir, entryPoint)...)
	cmd := exec.Command(nodeBin, args...)
	cmd.Dir = programDir
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+config, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	if opts.typescript {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{Error: "could not start node: " + err.Error()}, nil
	}
	h.track(cmd, true)
	defer h.track(cmd, false)

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		// The engine gave up on the run (cancellation): ask node to stop, then insist.
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			err = <-done
		}
	}
	return runResponse(err), nil
}

// runResponse turns how node exited into what the engine shows the user.
func runResponse(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if exitErr.ExitCode() == exitCodeAlreadyReported {
			return &pulumirpc.RunResponse{Bail: true}
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}
	}
	return &pulumirpc.RunResponse{Error: "Problem executing program (could not run node): " + err.Error()}
}

// runnerArgs builds the command line of @pulumi/pulumi's runner from the engine's request.
func runnerArgs(req *pulumirpc.RunRequest, runPath, engineAddress, programDir, entryPoint string) []string {
	args := []string{runPath}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	if req.GetInfo() != nil {
		add("root-directory", req.GetInfo().GetRootDirectory())
	}
	add("stack", req.GetStack())
	add("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() != 0 {
		add("parallel", fmt.Sprint(req.GetParallel()))
	}
	args = append(args, entryPoint)
	return append(args, req.GetArgs()...)
}

// configJSON renders the stack's configuration as @pulumi/pulumi expects it: keys in the
// "<namespace>:config:<name>" form, which every SDK version understands.
func configJSON(config map[string]string) (string, error) {
	out := make(map[string]string, len(config))
	for k, v := range config {
		ns, name, ok := strings.Cut(k, ":")
		if !ok {
			return "", fmt.Errorf("configuration key %q has no namespace (expected <namespace>:<name>)", k)
		}
		if rest, found := strings.CutPrefix(name, "config:"); found {
			name = rest
		}
		out[ns+":config:"+name] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

type runtimeOptions struct {
	typescript bool
	nodeArgs   string
	tsconfig   string
}

// runtimeOptionsOf reads Pulumi.yaml's `runtime.options`; TypeScript is on unless turned off.
func runtimeOptionsOf(req *pulumirpc.RunRequest) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	if req.GetInfo() == nil || req.GetInfo().GetOptions() == nil {
		return opts
	}
	m := req.GetInfo().GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeArgs = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	return opts
}

// resolveRunner finds @pulumi/pulumi's runner the way the program itself would load it.
func resolveRunner(nodeBin, programDir string) (string, error) {
	script := `try { console.log(require.resolve("@pulumi/pulumi/cmd/run")) } catch (e) {` +
		` console.error(e.code === "MODULE_NOT_FOUND" ? "@pulumi/pulumi is not installed for this program: run npm install in " + process.cwd() : e.message); process.exit(1) }`
	cmd := exec.Command(nodeBin, "-e", script)
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *languageHost) track(cmd *exec.Cmd, add bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running == nil {
		h.running = map[*exec.Cmd]struct{}{}
	}
	if add {
		h.running[cmd] = struct{}{}
	} else {
		delete(h.running, cmd)
	}
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		_ = cmd.Process.Signal(syscall.SIGINT)
	}
	return &emptypb.Empty{}, nil
}

// InstallDependencies runs `npm install` in the program directory (`pulumi install`).
func (h *languageHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	dir := req.GetDirectory()
	if req.GetInfo() != nil {
		dir = req.GetInfo().GetProgramDirectory()
	}
	cmd := exec.Command("npm", "install")
	cmd.Dir = dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return status.Errorf(codes.FailedPrecondition, "could not run npm: %v", err)
	}
	scanner := bufio.NewScanner(out)
	for scanner.Scan() {
		_ = stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: append(scanner.Bytes(), '\n')})
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	return nil
}

func (h *languageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("could not run node: %w", err)
	}
	node, _ := exec.LookPath("node")
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

// GetProgramDependencies lists the program's direct dependencies from its package.json.
func (h *languageHost) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetPwd()
	if req.GetInfo() != nil {
		dir = req.GetInfo().GetProgramDirectory()
	}
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("could not read the program's package.json: %w", err)
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, fmt.Errorf("package.json in %s is not valid JSON: %w", dir, err)
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for name, v := range pkg.Dependencies {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return resp, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
