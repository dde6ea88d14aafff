package main

import (
	"errors"
	"net"
	"testing"
	"time"
)

// TestLimitListener: at the limit Accept waits; a close frees one slot, once
// however often the connection is closed; closing the listener ends a
// waiting Accept.
func TestLimitListener(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(tcp, 2)
	accepted := make(chan net.Conn, 4)
	acceptErr := make(chan error, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				acceptErr <- err
				return
			}
			accepted <- c
		}
	}()
	var clients []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	first, second := <-accepted, <-accepted
	select {
	case c := <-accepted:
		c.Close()
		t.Fatal("a third connection was accepted over the limit of 2")
	case <-time.After(200 * time.Millisecond):
	}
	if n := ln.open(); n != 2 {
		t.Errorf("%d slots held, want 2", n)
	}
	first.Close()
	first.Close() // a second close must not free a second slot
	third := <-accepted
	if n := ln.open(); n != 2 {
		t.Errorf("%d slots held after one closed and one more accepted, want 2", n)
	}
	if err := third.(*limitConn).CloseWrite(); err != nil {
		t.Errorf("CloseWrite: %v", err)
	}
	second.Close()
	third.Close()
	if n := ln.open(); n > 1 {
		t.Errorf("%d slots held after every connection closed, want only the one the waiting Accept holds", n)
	}

	// Fill the slots again, then close the listener while Accept waits.
	for range 2 {
		c, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		defer (<-accepted).Close()
	}
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-acceptErr:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits after Close")
	}
	_ = clients
}
