global using SSeg.Tests.Common;
global using Xunit;
