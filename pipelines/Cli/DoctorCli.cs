using System.CommandLine;
using SSeg.Pipelines.Doctor;

namespace SSeg.Pipelines.Cli;

/// <summary>The `doctor` verb: checks a host with the same options and configuration `serve` uses.</summary>
public static class DoctorCli
{
    public static Command Create()
    {
        var command = new Command("doctor",
            "Check this host: TorchSharp build (cpu/cuda), libtorch, CUDA devices, bf16, threads, the GLIBCXX patch, " +
            "data root, job storage and queues. One line per check (ok/warn/fail); exit code 1 when a check fails. " +
            "Takes serve's options (--root, --postgres, --queues, --Section:Key value).");
        var common = HostCliOptions.Add(command);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
            await DoctorCommand.ExecuteAsync(common.Overrides(parse), [.. parse.UnmatchedTokens], Console.Out, ct));
        return command;
    }
}
