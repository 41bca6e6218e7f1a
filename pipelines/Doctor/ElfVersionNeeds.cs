using System.Text;

namespace SSeg.Pipelines.Doctor;

/// <summary>
/// Reads one symbol-version requirement (e.g. GLIBCXX_3.4.32) from an ELF64 file's .gnu.version_r section, to report
/// whether build/WeakGlibcxxVersion.targets marked it weak (VER_FLG_WEAK) in the libLibTorchSharp.so actually loaded.
/// </summary>
public static class ElfVersionNeeds
{
    public enum State { NotRequired, Weak, Strong, NotElf }

    public static State Inspect(string path, string versionName)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1) return State.NotElf;
        ushort U16(long o) => BitConverter.ToUInt16(elf, (int)o);
        uint U32(long o) => BitConverter.ToUInt32(elf, (int)o);
        long U64(long o) => (long)BitConverter.ToUInt64(elf, (int)o);
        string CString(long o) { var e = (int)o; while (elf[e] != 0) e++; return Encoding.ASCII.GetString(elf, (int)o, e - (int)o); }
        long shoff = U64(0x28); int shentsize = U16(0x3A), shnum = U16(0x3C);
        long Section(int i) => shoff + i * shentsize;
        for (var s = 0; s < shnum; s++)
        {
            if (U32(Section(s) + 0x04) != 0x6ffffffe) continue; // SHT_GNU_verneed
            var strtab = U64(Section((int)U32(Section(s) + 0x28)) + 0x18);
            var vn = U64(Section(s) + 0x18);
            for (uint n = 0; n < U32(Section(s) + 0x2C); n++)
            {
                var aux = vn + U32(vn + 8);
                for (var a = 0; a < U16(vn + 2); a++)
                {
                    if (CString(strtab + U32(aux + 8)) == versionName)
                        return (U16(aux + 4) & 0x2) != 0 ? State.Weak : State.Strong;
                    aux += U32(aux + 12);
                }
                var next = U32(vn + 12);
                if (next == 0) break;
                vn += next;
            }
        }
        return State.NotRequired;
    }
}
